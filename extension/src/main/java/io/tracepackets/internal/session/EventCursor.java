package io.tracepackets.internal.session;

import io.tracepackets.internal.event.EventLayout;
import java.time.Duration;

/**
 * One reader's position in the session's events: from its opening to its closing, every raw
 * record the pump stored, in order. The pump keeps these records until the cursor is closed.
 * Not thread-safe: one owner reads it.
 */
public final class EventCursor implements AutoCloseable {

	private final EventPump pump;
	private final EventStore store;
	private final long start;
	private final long lostAtOpen;
	private long next;
	private volatile long end = -1;
	private volatile long lostAtClose;

	EventCursor(EventPump pump, EventStore store, long start, long lostAtOpen) {
		this.pump = pump;
		this.store = store;
		this.start = start;
		this.next = start;
		this.lostAtOpen = lostAtOpen;
	}

	long start() {
		return start;
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
		long limit = end >= 0 ? end : store.published();
		byte[] record = new byte[store.recordBytes()];
		int count = 0;
		for (; next < limit; next++, count++) {
			store.read(next, record);
			consumer.accept(record);
		}
		return count;
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
