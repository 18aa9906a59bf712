package io.tracepackets.internal.session;

import java.lang.foreign.MemorySegment;

/**
 * A closed reader's records, where the store wrote them: the store's chunks that hold them, which
 * the store's writer leaves to it from then on ({@link EventStore#archive}), so that it answers
 * after its cursor let the session recycle the store: a closed window keeps its events without
 * holding the session's, and without a copy. Records are read back by their index, in the order
 * they were given. Immutable; any thread reads it.
 */
public final class RecordArchive {

	private final MemorySegment[] chunks;
	/** Where record i starts: the index of its chunk here in the high 32 bits, its offset in the low. */
	private final long[] starts;
	private final int recordBytes;
	private final int recordWords;

	RecordArchive(MemorySegment[] chunks, long[] starts, int recordBytes, int recordWords) {
		this.chunks = chunks;
		this.starts = starts;
		this.recordBytes = recordBytes;
		this.recordWords = recordWords;
	}

	/** How many records it holds. */
	public int size() {
		return starts.length;
	}

	/** The length of the buffer {@link #read} fills. */
	public int recordBytes() {
		return recordBytes;
	}

	/** Decodes record {@code index} into {@code target}, {@link #recordBytes()} long. */
	public void read(int index, byte[] target) {
		long start = starts[index];
		EventStore.decode(chunks[(int) (start >>> 32)], (int) start, target, recordWords);
	}
}
