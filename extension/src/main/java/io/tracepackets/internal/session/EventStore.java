package io.tracepackets.internal.session;

import io.tracepackets.internal.event.EventLayout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Compact storage of raw events, bounded in bytes: records appended into chunks of a ring, each
 * chunk allocated when the ring first reaches it, and dropped again once no reader wants anything.
 * One writer (the reader thread) appends and {@link #publish() publishes}; any thread reads
 * published records, in order, from a {@link Position}. Events are decoded only when a test asks
 * for them, so a flood costs an encode per event.
 *
 * <p>Each record keeps only its non-zero 4-byte words, behind a bitmap of which words they are: an
 * event's zeros (the 12 unused bytes of each IPv4 address, the location and drop reason of an event
 * that is no drop, an unset mark, the NAT trailer's IPv4 padding) cost one bit each instead of four
 * bytes. The encoding knows nothing of the fields, so a field added to {@code struct tp_event}
 * needs no change here. Layout: {@code u16 words} (0: the rest of the chunk is unused), {@code
 * ceil(words / 8)} bitmap bytes (bit i: word i is stored), then the stored words.
 *
 * <p>Retention: the writer never overwrites records at or after {@link #retainFrom(Position)} (the
 * oldest open reader's start); if it would have to, the record is counted as overflowed, with the
 * bytes it would have taken, instead.
 *
 * <p>The chunks are native memory, each of its own automatic arena: freed when nothing holds it any
 * more (the ring, or a closed reader's archive), like an array, but outside the heap. On the heap
 * they were the bulk of a flood's live data: every young collection copied the chunks filled since
 * the last one (tens of milliseconds for a full budget on two cores, during which the kernel's ring
 * buffer overflowed), and G1 sized the heap for them, well beyond the budget.
 */
final class EventStore {

	/** The smallest budget: a few chunks. */
	static final long MIN_BUDGET_BYTES = 1 << 20;
	/**
	 * Chunks are at most this large, so that memory is taken as the store fills, not at once, and a
	 * closed reader's archive holds little more than its records.
	 */
	static final int MAX_CHUNK_BYTES = 256 << 10;
	/** Bytes of a record's header: its word count. */
	private static final int HEADER = 2;

	private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
	private static final ValueLayout.OfInt CHUNK_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

	/** Where a record starts: its sequence number and its byte position (both only grow). */
	record Position(long sequence, long bytes) {
	}

	private final long budgetBytes;
	private final int chunkBytes;
	/**
	 * The longest record kept ({@link EventLayout#recordSize}, rounded up to whole words); longer
	 * ones are cut, shorter ones restored with zeros.
	 */
	private final int recordBytes;
	private final int recordWords;
	private final MemorySegment[] chunks;
	/**
	 * Chunks handed to a closed reader's archive ({@link #archive}): the writer takes a new chunk
	 * for such a slot when it next enters it, and never writes into one an archive reads.
	 */
	private final AtomicIntegerArray archived;
	private final long capacity;
	/** The writer's scratch copy of the record being encoded. */
	private final byte[] scratch;

	/** Next record's place (writer's private view). */
	private long writeSeq;
	private long writePos;
	/** Records before this are readable. */
	private volatile Position published = new Position(0, 0);
	/** The writer must keep everything from here on. Null: nothing is wanted. */
	private volatile Position retainFrom;
	private volatile long overflowed;
	private volatile long overflowedBytes;
	private volatile long allocatedBytes;
	private volatile long peakRetainedBytes;

	/**
	 * @param budgetBytes the most bytes the records take (rounded down to whole chunks)
	 * @param recordBytes the longest record kept
	 */
	EventStore(long budgetBytes, int recordBytes) {
		if (budgetBytes < MIN_BUDGET_BYTES) {
			throw new IllegalArgumentException("the event store's budget must be at least " + MIN_BUDGET_BYTES
					+ " bytes, got " + budgetBytes);
		}
		this.budgetBytes = budgetBytes;
		this.recordWords = (recordBytes + 3) / 4;
		this.recordBytes = recordWords * 4;
		this.chunkBytes = (int) Math.min(MAX_CHUNK_BYTES, budgetBytes / 4);
		long chunkCount = budgetBytes / chunkBytes;
		if (chunkCount > Integer.MAX_VALUE - 8) {
			throw new IllegalArgumentException("the event store's budget is too large: " + budgetBytes + " bytes");
		}
		this.chunks = new MemorySegment[(int) chunkCount];
		this.archived = new AtomicIntegerArray((int) chunkCount);
		this.capacity = chunkCount * chunkBytes;
		this.scratch = new byte[recordWords * 4];
	}

	/** The bytes a record of {@code words} words, {@code storedWords} of them not zero, takes: header and bitmap included. */
	static int encodedBytes(int words, int storedWords) {
		return HEADER + (words + 7) / 8 + 4 * storedWords;
	}

	/**
	 * Writer: encodes one record of {@code length} bytes (at most {@link #recordBytes()} are kept).
	 * Returns false when it was not stored: no reader wants it, or the budget is used up.
	 */
	boolean append(MemorySegment source, long offset, int length) {
		Position retain = retainFrom;
		if (retain == null) {
			return false; // no cursor wants it
		}
		int kept = Math.min(length, recordBytes);
		int words = (kept + 3) / 4;
		MemorySegment.copy(source, ValueLayout.JAVA_BYTE, offset, scratch, 0, kept);
		if ((kept & 3) != 0) {
			Arrays.fill(scratch, kept, words * 4, (byte) 0);
		}
		int stored = 0;
		for (int i = 0; i < words; i++) {
			if ((int) INT.get(scratch, i * 4) != 0) {
				stored++;
			}
		}
		int need = encodedBytes(words, stored);
		int inChunk = (int) (writePos % chunkBytes);
		long start = chunkBytes - inChunk < need ? writePos + (chunkBytes - inChunk) : writePos;
		if (start + need - retain.bytes() > capacity) {
			overflowed++;
			overflowedBytes += need;
			return false;
		}
		if (start != writePos) {
			// The record does not fit in the rest of this chunk: mark the rest unused when it can hold a header.
			if (chunkBytes - inChunk >= HEADER) {
				MemorySegment chunk = chunkAt(writePos);
				chunk.set(ValueLayout.JAVA_BYTE, inChunk, (byte) 0);
				chunk.set(ValueLayout.JAVA_BYTE, inChunk + 1, (byte) 0);
			}
			writePos = start;
		}
		int at = (int) (writePos % chunkBytes);
		if (at == 0) {
			enterChunk(writePos);
		}
		MemorySegment chunk = chunkAt(writePos);
		chunk.set(ValueLayout.JAVA_BYTE, at, (byte) words);
		chunk.set(ValueLayout.JAVA_BYTE, at + 1, (byte) (words >>> 8));
		int bitmap = at + HEADER;
		int out = bitmap + (words + 7) / 8;
		int bits = 0;
		for (int i = 0; i < words; i++) {
			int word = (int) INT.get(scratch, i * 4);
			if (word != 0) {
				bits |= 1 << (i & 7);
				chunk.set(CHUNK_INT, out, word);
				out += 4;
			}
			if ((i & 7) == 7 || i == words - 1) {
				// every bitmap byte written whole: a recycled chunk holds an older record's bytes
				chunk.set(ValueLayout.JAVA_BYTE, bitmap + (i >>> 3), (byte) bits);
				bits = 0;
			}
		}
		writePos += need;
		writeSeq++;
		long retained = writePos - retain.bytes();
		if (retained > peakRetainedBytes) {
			peakRetainedBytes = retained;
		}
		return true;
	}

	/**
	 * Writer: starts a chunk slot on a new lap of the ring; an archive holds its old array, so it
	 * gets a new one (the records of the old are no reader's any more, or the writer would not be here).
	 */
	private void enterChunk(long position) {
		int index = (int) ((position / chunkBytes) % chunks.length);
		if (archived.get(index) != 0) {
			if (chunks[index] != null) {
				chunks[index] = null;
				allocatedBytes -= chunkBytes;
			}
			archived.set(index, 0);
		}
	}

	private MemorySegment chunkAt(long position) {
		int index = (int) ((position / chunkBytes) % chunks.length);
		MemorySegment chunk = chunks[index];
		if (chunk == null) {
			chunk = chunks[index] = Arena.ofAuto().allocate(chunkBytes, Integer.BYTES);
			allocatedBytes += chunkBytes;
		}
		return chunk;
	}

	/** Writer: makes everything appended so far visible to readers. */
	void publish() {
		if (published.sequence() != writeSeq) {
			published = new Position(writeSeq, writePos);
		}
	}

	/**
	 * Writer: lets the chunks go when no reader wants anything (a flood's test is over: the next
	 * tests should not carry its memory); the collector frees each one nothing else holds.
	 */
	void releaseIfUnwanted() {
		if (retainFrom == null && allocatedBytes > 0) {
			Arrays.fill(chunks, null);
			for (int i = 0; i < chunks.length; i++) {
				archived.set(i, 0);
			}
			allocatedBytes = 0;
		}
	}

	int recordBytes() {
		return recordBytes;
	}

	int recordWords() {
		return recordWords;
	}

	/** Where the next record will be: a new reader's start. */
	Position published() {
		return published;
	}

	long budgetBytes() {
		return budgetBytes;
	}

	long overflowed() {
		return overflowed;
	}

	/** The bytes the overflowed records would have taken. */
	long overflowedBytes() {
		return overflowedBytes;
	}

	/** Bytes of chunks allocated now. */
	long allocatedBytes() {
		return allocatedBytes;
	}

	/** The most bytes the records that readers wanted took at once, since the store was made. */
	long peakRetainedBytes() {
		return peakRetainedBytes;
	}

	void retainFrom(Position position) {
		retainFrom = position;
	}

	/** Whether any reader wants events now. */
	boolean retaining() {
		return retainFrom != null;
	}

	/**
	 * Decodes the record at {@code position} into {@code target} (whole: bytes the record did not
	 * have are zeros) and returns where the next one starts. The position must be published and
	 * retained.
	 */
	long read(long position, byte[] target) {
		long start = recordStart(position);
		MemorySegment chunk = chunks[(int) ((start / chunkBytes) % chunks.length)];
		int at = (int) (start % chunkBytes);
		return start + decode(chunk, at, target, recordWords);
	}

	/**
	 * Where the record at {@code position} really starts: there, or at the next chunk when the rest
	 * of this one is unused (a record never spans two chunks).
	 */
	private long recordStart(long position) {
		int at = (int) (position % chunkBytes);
		MemorySegment chunk = chunks[(int) ((position / chunkBytes) % chunks.length)];
		int words = chunkBytes - at < HEADER ? 0 : wordsAt(chunk, at);
		return words == 0 ? position + (chunkBytes - at) : position;
	}

	/**
	 * The records at {@code positions} (the first {@code count}, published and retained), as an
	 * archive that reads them where they are: it takes the chunks that hold them, which the writer
	 * then leaves to it (a new chunk for the slot on its next lap). No copy, so closing a window
	 * of a full budget does not need the budget twice.
	 */
	RecordArchive archive(long[] positions, int count) {
		long[] starts = new long[count];
		Map<Integer, Integer> taken = new HashMap<>();
		List<MemorySegment> held = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			long start = recordStart(positions[i]);
			int slot = (int) ((start / chunkBytes) % chunks.length);
			Integer local = taken.get(slot);
			if (local == null) {
				local = held.size();
				held.add(chunks[slot]);
				taken.put(slot, local);
				archived.set(slot, 1);
			}
			starts[i] = (long) local << 32 | (start % chunkBytes);
		}
		return new RecordArchive(held.toArray(MemorySegment[]::new), starts, recordBytes, recordWords);
	}

	/**
	 * Decodes the encoded record at {@code at} into {@code target} (whole: words the record did not
	 * have are zeros; words past {@code recordWords} are cut) and returns its encoded length.
	 */
	static int decode(MemorySegment chunk, int at, byte[] target, int recordWords) {
		int words = wordsAt(chunk, at);
		Arrays.fill(target, (byte) 0);
		int bitmap = at + HEADER;
		int in = bitmap + (words + 7) / 8;
		int limit = Math.min(words, recordWords);
		int bits = 0;
		for (int i = 0; i < words; i++) {
			if ((i & 7) == 0) {
				bits = chunk.get(ValueLayout.JAVA_BYTE, bitmap + (i >>> 3));
			}
			if ((bits & (1 << (i & 7))) != 0) {
				if (i < limit) {
					INT.set(target, i * 4, chunk.get(CHUNK_INT, in));
				}
				in += 4;
			}
		}
		return in - at;
	}

	/** The word count in the header of the record at {@code at}. */
	private static int wordsAt(MemorySegment chunk, int at) {
		return (chunk.get(ValueLayout.JAVA_BYTE, at) & 0xff) | (chunk.get(ValueLayout.JAVA_BYTE, at + 1) & 0xff) << 8;
	}
}
