package io.tracepackets.internal.session;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.tracepackets.internal.bpf.BpfMap;
import io.tracepackets.internal.event.EventLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * The kernel side of scoping: which network namespaces the probes keep events of. It owns the
 * {@code netns_filter} map and the filter mode in {@code config}; windows take a {@link Lease} per
 * namespace (or one on every namespace) and the map holds the union of what is leased. The
 * probes drop everything else before it reaches the ring buffer.
 */
public final class NamespaceFilter {

	private final BpfMap config;
	private final BpfMap namespaces;
	private final Map<Long, Integer> leased = new HashMap<>();
	private int leasesOnAll;
	private int mode = -1;
	/** struct tp_config.follow_copies: whether the probes look up copies' journeys. */
	private final boolean followCopies;

	NamespaceFilter(BpfMap config, BpfMap namespaces, boolean followCopies) {
		this.config = config;
		this.namespaces = namespaces;
		this.followCopies = followCopies;
		apply();
	}

	/** Keeps events of the namespace {@code inode} until the lease is closed. */
	public synchronized Lease lease(long inode) {
		if (leased.merge(inode, 1, Integer::sum) == 1) {
			try (Arena arena = Arena.ofConfined()) {
				namespaces.update(arena.allocateFrom(JAVA_INT, (int) inode), arena.allocateFrom(JAVA_BYTE, (byte) 1));
			}
		}
		apply();
		return new Lease(() -> release(inode));
	}

	/** Keeps events of every namespace until the lease is closed. */
	public synchronized Lease leaseAll() {
		leasesOnAll++;
		apply();
		return new Lease(this::releaseAll);
	}

	private synchronized void release(long inode) {
		Integer left = leased.merge(inode, -1, Integer::sum);
		if (left != null && left <= 0) {
			leased.remove(inode);
			try (Arena arena = Arena.ofConfined()) {
				namespaces.delete(arena.allocateFrom(JAVA_INT, (int) inode));
			}
		}
		apply();
	}

	private synchronized void releaseAll() {
		leasesOnAll--;
		apply();
	}

	/** Stops the probes from keeping anything, whatever is leased: the session is closing. */
	synchronized void stop() {
		leased.clear();
		leasesOnAll = 0;
		apply();
	}

	private void apply() {
		int wanted = leasesOnAll > 0 ? EventLayout.MODE_ALL : leased.isEmpty() ? EventLayout.MODE_OFF
				: EventLayout.MODE_NETNS;
		if (wanted == mode) {
			return;
		}
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment value = arena.allocate(8);
			value.set(JAVA_INT, 0, wanted);
			value.set(JAVA_INT, 4, followCopies ? 1 : 0);
			config.put(0, value);
		}
		mode = wanted;
	}

	/** A namespace (or every one) kept in the filter; closing it is idempotent. */
	public static final class Lease implements AutoCloseable {

		private Runnable release;

		private Lease(Runnable release) {
			this.release = release;
		}

		@Override
		public synchronized void close() {
			if (release != null) {
				release.run();
				release = null;
			}
		}
	}
}
