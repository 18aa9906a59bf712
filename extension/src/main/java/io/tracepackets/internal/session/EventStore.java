package io.tracepackets.internal.session;

import io.tracepackets.internal.event.EventLayout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Compact storage of raw events: fixed-size records appended into recycled chunks of a bounded
 * ring, indexed by a global sequence number. One writer (the reader thread) appends and
 * {@link #publish() publishes}; any thread reads published sequences. Events are decoded only
 * when a test asks for them, so a flood costs a memcpy per event.
 *
 * <p>Retention: the writer never overwrites events at or after {@link #retainFrom(long)} (the
 * oldest open window's start); if it would have to, the event is counted as overflowed instead.
 */
final class EventStore {

	static final int CHUNK_EVENTS = 1 << 14;

	/** Bytes kept per record ({@link EventLayout#recordSize}): enough for the longest kind the probes write. */
	private final int recordBytes;
	private final int chunkBytes;

	private final byte[][] chunks;
	private final long capacity;
	/** Next sequence to write (writer's private view). */
	private long writeSeq;
	/** Sequences below this are readable. */
	private volatile long published;
	/** The writer must keep everything from here on. Long.MAX_VALUE: nothing is wanted. */
	private volatile long retainFrom = Long.MAX_VALUE;
	private volatile long overflowed;

	/** {@code recordBytes}: the longest record kept; shorter ones are padded with zeros. */
	EventStore(long maxEvents, int recordBytes) {
		this.recordBytes = recordBytes;
		this.chunkBytes = CHUNK_EVENTS * recordBytes;
		int chunkCount = (int) Math.max(2, (maxEvents + CHUNK_EVENTS - 1) / CHUNK_EVENTS);
		this.chunks = new byte[chunkCount][];
		this.capacity = (long) chunkCount * CHUNK_EVENTS;
	}

	/**
	 * Writer: copies one record of {@code length} bytes (at most {@link #recordBytes()} are kept).
	 * Returns false when it had to be dropped.
	 */
	boolean append(MemorySegment source, long offset, int length) {
		long retain = retainFrom;
		if (retain == Long.MAX_VALUE) {
			return false; // no cursor wants it
		}
		if (writeSeq - retain >= capacity) {
			overflowed++;
			return false;
		}
		int chunkIndex = (int) ((writeSeq / CHUNK_EVENTS) % chunks.length);
		byte[] chunk = chunks[chunkIndex];
		if (chunk == null) {
			chunk = chunks[chunkIndex] = new byte[chunkBytes];
		}
		int kept = Math.min(length, recordBytes);
		int at = offsetOf(writeSeq);
		MemorySegment.copy(source, ValueLayout.JAVA_BYTE, offset, chunk, at, kept);
		if (kept < recordBytes) {
			java.util.Arrays.fill(chunk, at + kept, at + recordBytes, (byte) 0); // a recycled slot's old bytes
		}
		writeSeq++;
		return true;
	}

	/** Writer: makes everything appended so far visible to readers. */
	void publish() {
		published = writeSeq;
	}

	int recordBytes() {
		return recordBytes;
	}

	long published() {
		return published;
	}

	long overflowed() {
		return overflowed;
	}

	void retainFrom(long sequence) {
		retainFrom = sequence;
	}

	/** Whether any reader wants events now. */
	boolean retaining() {
		return retainFrom != Long.MAX_VALUE;
	}

	/**
	 * Copies the record at {@code sequence} into {@code target} at 0. The sequence must be
	 * published and retained.
	 */
	void read(long sequence, byte[] target) {
		System.arraycopy(chunkOf(sequence), offsetOf(sequence), target, 0, recordBytes);
	}

	/** Reads a u32 field of the record at {@code sequence} without copying the record. */
	int readInt(long sequence, int fieldOffset) {
		byte[] chunk = chunkOf(sequence);
		int base = offsetOf(sequence) + fieldOffset;
		return (chunk[base] & 0xff) | (chunk[base + 1] & 0xff) << 8 | (chunk[base + 2] & 0xff) << 16
				| (chunk[base + 3] & 0xff) << 24;
	}

	private byte[] chunkOf(long sequence) {
		return chunks[(int) ((sequence / CHUNK_EVENTS) % chunks.length)];
	}

	private int offsetOf(long sequence) {
		return (int) (sequence % CHUNK_EVENTS) * recordBytes;
	}
}
