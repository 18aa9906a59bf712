package io.tracepackets.internal.tracer;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One test's view of the tracer: the events published from its opening to its closing, in the
 * network namespaces it was scoped to. Raw records are read on demand by sequence number.
 */
public final class TraceWindow implements AutoCloseable {

	private final Tracer tracer;
	private final EventStore store;
	private final long startSequence;
	private final long lostAtOpen;
	private final long overflowAtOpen;
	private final Set<Long> namespaces = ConcurrentHashMap.newKeySet();
	private volatile boolean allNamespaces;
	private volatile long endSequence = -1;
	private volatile long lostAtClose;
	private volatile long overflowAtClose;

	TraceWindow(Tracer tracer, EventStore store, long startSequence, long lostAtOpen, long overflowAtOpen) {
		this.tracer = tracer;
		this.store = store;
		this.startSequence = startSequence;
		this.lostAtOpen = lostAtOpen;
		this.overflowAtOpen = overflowAtOpen;
	}

	public Tracer tracer() {
		return tracer;
	}

	long startSequence() {
		return startSequence;
	}

	/** Adds a network namespace (by inode) to this window's scope; the kernel filter follows. */
	public void addNetns(long inode) {
		if (endSequence < 0 && namespaces.add(inode)) {
			tracer.netnsAdded(inode);
		}
	}

	/** Traces every namespace (the kernel filter is lifted while this window is open). */
	public void traceAllNamespaces() {
		allNamespaces = true;
		tracer.allNamespacesChanged();
	}

	public boolean allNamespaces() {
		return allNamespaces;
	}

	public Set<Long> namespaces() {
		return Set.copyOf(namespaces);
	}

	/** The first sequence after this window's events: now, or where it was closed. */
	public long limit() {
		long end = endSequence;
		return end >= 0 ? end : store.published();
	}

	public long start() {
		return startSequence;
	}

	/** Whether the record at {@code sequence} is in this window's namespace scope. */
	public boolean inScope(long sequence) {
		if (allNamespaces) {
			return true;
		}
		return namespaces.contains(Integer.toUnsignedLong(store.readInt(sequence, EventLayout.NETNS)));
	}

	/** Copies the raw record at {@code sequence} (between {@link #start()} and {@link #limit()}). */
	public void read(long sequence, byte[] target) {
		store.read(sequence, target);
	}

	/** Events lost during this window, in the kernel (ring buffer full) or in the store. */
	public long lost() {
		if (endSequence >= 0) {
			return lostAtClose - lostAtOpen + overflowAtClose - overflowAtOpen;
		}
		return tracer.lost() - lostAtOpen + store.overflowed() - overflowAtOpen;
	}

	/** See {@link Tracer#flush(Duration)}; a closed window has nothing left to flush. */
	public void flush(Duration timeout) {
		if (endSequence < 0) {
			tracer.flush(timeout);
		}
	}

	/** Blocks until new events may be available or {@code nanos} pass. */
	public void awaitProgress(long nanos) {
		if (endSequence < 0) {
			tracer.awaitProgress(nanos);
		}
	}

	public boolean isClosed() {
		return endSequence >= 0;
	}

	/** Flushes, fixes the window's end and releases its scope. Idempotent. */
	@Override
	public synchronized void close() {
		if (endSequence >= 0) {
			return;
		}
		try {
			tracer.flush(Duration.ofSeconds(5));
		} finally {
			lostAtClose = tracer.lost();
			overflowAtClose = store.overflowed();
			endSequence = store.published();
			tracer.windowClosed(this);
		}
	}
}
