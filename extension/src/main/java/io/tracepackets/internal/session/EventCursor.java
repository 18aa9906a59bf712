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
	private final long start;
	private final long lostAtOpen;
	private long next;
	/** The first record the pump must keep for this cursor: its start, or where a stream forgot up to. */
	private volatile long retainedFrom;
	private volatile long end = -1;
	private volatile long lostAtClose;

	EventCursor(EventPump pump, EventStore store, long start, long lostAtOpen) {
		this.pump = pump;
		this.store = store;
		this.start = start;
		this.next = start;
		this.retainedFrom = start;
		this.lostAtOpen = lostAtOpen;
	}

	long start() {
		return start;
	}

	/** The oldest record this cursor may still read: the pump keeps it and every later one. */
	long retainedFrom() {
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

	/** Hands every record published since the last call to {@code consumer}; returns how many. */
	public int read(RecordConsumer consumer) {
		return read(consumer, Long.MAX_VALUE);
	}

	/**
	 * Hands at most {@code max} of the records published since the last call to {@code consumer},
	 * oldest first; returns how many. A streaming reader takes a bounded batch at a time, so that
	 * what it decodes at once stays small however far behind the kernel it is.
	 */
	public int read(RecordConsumer consumer, long max) {
		long published = end >= 0 ? end : store.published();
		long limit = published - next > max ? next + max : published;
		byte[] record = new byte[store.recordBytes()];
		int count = 0;
		for (; next < limit; next++, count++) {
			store.read(next, record);
			consumer.accept(record);
		}
		return count;
	}

	/**
	 * Lets the pump recycle every record read so far, while the cursor stays open: for a reader
	 * that hands each record on once (a stream to a terminal or a file) and never reads it again.
	 * The store then holds only what the reader has not caught up with, whatever the trace's
	 * length; a window, which answers from all its events, never calls it.
	 */
	public void forgetRead() {
		if (retainedFrom != next) {
			retainedFrom = next;
			pump.retentionMoved();
		}
	}

	/** How many records the store took in for this cursor so far (read or not). */
	public long stored() {
		return (end >= 0 ? end : store.published()) - start;
	}

	/** Events lost while this cursor was open (ring buffer or store full). */
	public long lost() {
		return (end >= 0 ? lostAtClose : pump.lost()) - lostAtOpen;
	}

	/** See {@link EventPump#flush(Duration)}; a closed cursor has nothing left to flush. */
	public void flush(Duration timeout) {
		if (end < 0) {
			pump.flush(timeout);
		}
	}

	/** Blocks until new records may be available or {@code nanos} pass. */
	public void awaitProgress(long nanos) {
		if (end < 0) {
			pump.awaitProgress(nanos);
		}
	}

	public boolean isClosed() {
		return end >= 0;
	}

	/**
	 * Flushes, then fixes the cursor's end: records up to it stay readable until the last
	 * {@link #read} after close, which the owner must make before anything else is opened.
	 * Idempotent.
	 */
	@Override
	public synchronized void close() {
		if (end >= 0) {
			return;
		}
		try {
			pump.flush(Duration.ofSeconds(30)); // a bound on no progress, as TraceWindow's flush
		} finally {
			lostAtClose = pump.lost();
			end = store.published();
		}
	}

	/** Lets the pump recycle this cursor's records: call once the owner has read them all. */
	public void release() {
		close();
		pump.cursorClosed(this);
	}
}
