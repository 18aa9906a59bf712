package io.tracepackets.internal.session;

import io.tracepackets.internal.event.EventLayout;
import java.time.Duration;

/**
 * One reader's position in the session's events: from its opening to its closing, every raw
 * record the pump stored, in order. The pump keeps these records until the cursor is closed, or,
 * for a reader that streams them out and never reads them again (the command line), until it
 * {@link #forgetRead() forgets} them. Not thread-safe: one owner reads it.
 */
public final class EventCursor implements AutoCloseable {

	private final EventPump pump;
	private final EventStore store;
	private final EventStore.Position start;
	private final long lostAtOpen;
	private final long overflowedAtOpen;
	private final long overflowedBytesAtOpen;
	/** The next record to read: its sequence and where it starts. */
	private long nextSequence;
	private long nextBytes;
	/**
	 * The first record the pump must keep for this cursor, sequence and byte position: its start,
	 * or where a stream forgot up to.
	 */
	private volatile EventStore.Position retainedFrom;
	/** Where the records stop once closed; null while open. */
	private volatile EventStore.Position end;
	private volatile long lostAtClose;
	private volatile long overflowedAtClose;
	private volatile long overflowedBytesAtClose;

	EventCursor(EventPump pump, EventStore store, EventStore.Position start, long lostAtOpen) {
		this.pump = pump;
		this.store = store;
		this.start = start;
		this.nextSequence = start.sequence();
		this.nextBytes = start.bytes();
		this.retainedFrom = start;
		this.lostAtOpen = lostAtOpen;
		this.overflowedAtOpen = store.overflowed();
		this.overflowedBytesAtOpen = store.overflowedBytes();
	}

	/** The oldest record this cursor may still read: the pump keeps it and every later one. */
	EventStore.Position retainedFrom() {
		return retainedFrom;
	}

	/**
	 * Receives one raw record, laid out as {@link EventLayout} says (longer, with packet bytes, when
	 * the session captures them); valid during the call only.
	 */
	@FunctionalInterface
	public interface RecordConsumer {
		void accept(byte[] record);
	}

	/** Receives one raw record as {@link RecordConsumer} does, with where the store keeps it. */
	@FunctionalInterface
	public interface PositionedRecordConsumer {
		/**
		 * @param position the record's place in the store, for {@link #readAt} and {@link #archive}
		 * @param record the record, valid during the call only
		 */
		void accept(long position, byte[] record);
	}

	/** Hands every record published since the last call to {@code consumer}; returns how many. */
	public int read(RecordConsumer consumer) {
		return read(consumer, Long.MAX_VALUE);
	}

	/** As {@link #read(RecordConsumer, long)}, telling each record's position. */
	public int read(PositionedRecordConsumer consumer, long max) {
		long published = limit().sequence();
		long limit = published - nextSequence > max ? nextSequence + max : published;
		byte[] record = new byte[store.recordBytes()];
		int count = 0;
		for (; nextSequence < limit; count++) {
			long after = store.read(nextBytes, record);
			consumer.accept(nextBytes, record);
			// Only now: a consumer that throws gets the same record again, and the sequence and
			// the position stay in step.
			nextBytes = after;
			nextSequence++;
		}
		return count;
	}

	/** The length of the buffer {@link #readAt} fills. */
	public int recordBytes() {
		return store.recordBytes();
	}

	/**
	 * Decodes again the record this cursor read at {@code position} into {@code target}: for a
	 * reader that keeps positions instead of what it decoded. Any thread; only until the cursor is
	 * {@link #release() released}, and never for a position it {@link #forgetRead() forgot}.
	 */
	public void readAt(long position, byte[] target) {
		if (position < retainedFrom.bytes() || position >= limit().bytes()) {
			throw new IllegalArgumentException("no record of this cursor at " + position);
		}
		store.read(position, target);
	}

	/**
	 * The records at {@code positions} (the first {@code count}), in that order, readable after the
	 * cursor is released: the store leaves the chunks that hold them to the archive. Call before
	 * {@link #release()}.
	 */
	public RecordArchive archive(long[] positions, int count) {
		return store.archive(positions, count);
	}

	/**
	 * Hands at most {@code max} of the records published since the last call to {@code consumer},
	 * oldest first; returns how many. A streaming reader takes a bounded batch at a time, so that
	 * what it decodes at once stays small however far behind the kernel it is.
	 */
	public int read(RecordConsumer consumer, long max) {
		return read((position, record) -> consumer.accept(record), max);
	}

	private EventStore.Position limit() {
		EventStore.Position closedAt = end;
		return closedAt != null ? closedAt : store.published();
	}

	/**
	 * Lets the pump recycle every record read so far, while the cursor stays open: for a reader
	 * that hands each record on once (a stream to a terminal or a file) and never reads it again.
	 * The store then holds only what the reader has not caught up with, whatever the trace's
	 * length; a window, which answers from all its events, never calls it. The store's budget is
	 * in bytes, so the cursor hands over the byte position of its next record with its sequence.
	 */
	public void forgetRead() {
		if (retainedFrom.sequence() != nextSequence) {
			retainedFrom = new EventStore.Position(nextSequence, nextBytes);
			pump.retentionMoved();
		}
	}

	/** How many records the store took in for this cursor so far (read or not). */
	public long stored() {
		return limit().sequence() - start.sequence();
	}

	/**
	 * The bytes this cursor's records took in the store so far (read or not, and those it forgot:
	 * what passed through, not what is held now).
	 */
	public long storedBytes() {
		return limit().bytes() - start.bytes();
	}

	/** Events lost while this cursor was open (ring buffer or store full). */
	public long lost() {
		return (end != null ? lostAtClose : pump.lost()) - lostAtOpen;
	}

	/** Of {@link #lost()}, the events the store had no room for (its budget was used up). */
	public long overflowed() {
		return (end != null ? overflowedAtClose : store.overflowed()) - overflowedAtOpen;
	}

	/** The bytes the {@link #overflowed()} events would have taken in the store. */
	public long overflowedBytes() {
		return (end != null ? overflowedBytesAtClose : store.overflowedBytes()) - overflowedBytesAtOpen;
	}

	/** The store's budget in bytes ({@code tracepackets.events.bytes}). */
	public long budgetBytes() {
		return store.budgetBytes();
	}

	/** See {@link EventPump#flush(Duration)}; a closed cursor has nothing left to flush. */
	public void flush(Duration timeout) {
		if (end == null) {
			pump.flush(timeout);
		}
	}

	/** Blocks until new records may be available or {@code nanos} pass. */
	public void awaitProgress(long nanos) {
		if (end == null) {
			pump.awaitProgress(nanos);
		}
	}

	public boolean isClosed() {
		return end != null;
	}

	/**
	 * Flushes, then fixes the cursor's end: records up to it stay readable until the last
	 * {@link #read} after close, which the owner must make before anything else is opened.
	 * Idempotent.
	 */
	@Override
	public synchronized void close() {
		if (end != null) {
			return;
		}
		try {
			pump.flush(Duration.ofSeconds(30)); // a bound on no progress, as TraceWindow's flush
		} finally {
			lostAtClose = pump.lost();
			overflowedAtClose = store.overflowed();
			overflowedBytesAtClose = store.overflowedBytes();
			end = store.published();
		}
	}

	/** Lets the pump recycle this cursor's records: call once the owner has read them all. */
	public void release() {
		close();
		pump.cursorClosed(this);
	}
}
