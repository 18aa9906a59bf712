package io.tracepackets.internal.session;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.tracepackets.internal.bpf.BpfMap;
import io.tracepackets.internal.event.EventLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel side of scoping: which network namespaces the probes keep events of. It owns the
 * {@code netns_filter} map and the filter mode and inline inodes in {@code config}; windows take a {@link Lease} per
 * namespace (or one on every namespace) and the map holds the union of what is leased. The
 * probes drop everything else before it reaches the ring buffer.
 */
public final class NamespaceFilter {

	private final BpfMap config;
	private final BpfMap namespaces;
	private final Map<Long, Integer> leased = new HashMap<>();
	private int leasesOnAll;
	private List<Integer> written = List.of();
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

	/**
	 * Writes the mode and, when they fit, the scoped inodes into {@code config}: the probes
	 * compare up to {@link EventLayout#INLINE_NETNS} inodes in registers and look in the hash only
	 * beyond that. Called after the hash changed, so the hash is never behind the config.
	 */
	private void apply() {
		int wanted = leasesOnAll > 0 ? EventLayout.MODE_ALL : leased.isEmpty() ? EventLayout.MODE_OFF
				: EventLayout.MODE_NETNS;
		int[] inline = wanted == EventLayout.MODE_NETNS && leased.size() <= EventLayout.INLINE_NETNS
				? leased.keySet().stream().mapToInt(Long::intValue).sorted().toArray()
				: new int[0];
		List<Integer> value = new ArrayList<>();
		value.add(wanted);
		value.add(followCopies ? 1 : 0);
		value.add(wanted == EventLayout.MODE_NETNS ? leased.size() : 0);
		for (int i = 0; i < EventLayout.INLINE_NETNS; i++) {
			value.add(i < inline.length ? inline[i] : 0);
		}
		if (value.equals(written)) {
			return;
		}
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment segment = arena.allocate(EventLayout.CONFIG_SIZE);
			for (int i = 0; i < value.size(); i++) {
				segment.setAtIndex(JAVA_INT, i, value.get(i));
			}
			config.put(0, segment);
		}
		written = value;
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
