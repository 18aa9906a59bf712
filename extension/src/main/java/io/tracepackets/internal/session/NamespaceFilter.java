package io.tracepackets.internal.session;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.tracepackets.internal.bpf.BpfMap;
import io.tracepackets.internal.counts.CountKey;
import io.tracepackets.internal.counts.CountMap;
import io.tracepackets.internal.event.EventLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The kernel side of scoping: which network namespaces the probes keep events of. It owns the
 * {@code netns_filter} map and the filter mode and inline inodes in {@code config}; windows take a {@link Lease} per
 * namespace (or one on every namespace) and the map holds the union of what is leased. The
 * probes drop everything else before it reaches the ring buffer.
 *
 * <p>It also keeps the kernel's {@link CountMap} to the leased namespaces: a lease carries the
 * totals its namespace had when it was taken (the window's baseline), and once no lease holds a
 * namespace its counts are deleted, so the map keeps room for later tests. Both under this
 * filter's lock, so that a baseline is never read from entries about to be deleted.
 */
public final class NamespaceFilter {

	private final BpfMap config;
	private final BpfMap namespaces;
	private final CountMap counts;
	private final Map<Long, Integer> leased = new HashMap<>();
	private int leasesOnAll;
	private int[] written = new int[0];
	/** struct tp_config.follow_copies: whether the probes look up copies' journeys. */
	private final boolean followCopies;

	NamespaceFilter(BpfMap config, BpfMap namespaces, boolean followCopies, CountMap counts) {
		this.config = config;
		this.namespaces = namespaces;
		this.followCopies = followCopies;
		this.counts = counts;
		apply();
	}

	/**
	 * Keeps events of the namespace {@code inode} until the lease is closed. Its counts are read
	 * first: what the probes count from then on is the lease holder's.
	 */
	public synchronized Lease lease(long inode) {
		if (!leased.containsKey(inode) && leased.size() < EventLayout.INLINE_NETNS) {
			// its place in the config, and its row of hook counts, before the baseline is read
			counts.rowFor(inode);
		}
		Map<CountKey, Long> before = counts.read(netns -> netns == inode);
		if (leased.merge(inode, 1, Integer::sum) == 1) {
			try (Arena arena = Arena.ofConfined()) {
				namespaces.update(arena.allocateFrom(JAVA_INT, (int) inode), arena.allocateFrom(JAVA_BYTE, (byte) 1));
			}
		}
		apply();
		return new Lease(() -> release(inode), before);
	}

	/** Keeps events of every namespace until the lease is closed; every namespace's counts are read first. */
	public synchronized Lease leaseAll() {
		Map<CountKey, Long> before = counts.read(netns -> true);
		leasesOnAll++;
		apply();
		return new Lease(this::releaseAll, before);
	}

	/**
	 * Once no lease holds the namespace, the probes stop counting it and its counts are deleted
	 * (unless a lease on every namespace still reads them). A probe already running may count it
	 * once more; a later lease's baseline accounts for such a straggler.
	 */
	private synchronized void release(long inode) {
		Integer left = leased.merge(inode, -1, Integer::sum);
		if (left != null && left <= 0) {
			leased.remove(inode);
			counts.releaseRow(inode);
			try (Arena arena = Arena.ofConfined()) {
				namespaces.delete(arena.allocateFrom(JAVA_INT, (int) inode));
			}
			apply();
			if (leasesOnAll == 0) {
				counts.forget(netns -> netns == inode);
			}
			return;
		}
		apply();
	}

	private synchronized void releaseAll() {
		leasesOnAll--;
		apply();
		if (leasesOnAll == 0) {
			counts.forget(netns -> !leased.containsKey(netns));
		}
	}

	/** Stops the probes from keeping anything, whatever is leased: the session is closing. */
	synchronized void stop() {
		leased.keySet().forEach(counts::releaseRow);
		leased.clear();
		leasesOnAll = 0;
		apply();
	}

	/**
	 * Writes the mode, the scoped inodes' bits ({@link #bitsOf}) and, when they fit, the scoped
	 * inodes into {@code config}: the probes compare up to {@link EventLayout#INLINE_NETNS} inodes in registers and look in the hash only
	 * beyond that. Each inode at its row of the counts ({@link CountMap#rowFor}), where it stays
	 * while leased: the probes count its tracepoint events in that row. Called after the hash
	 * changed, so the hash is never behind the config.
	 */
	private void apply() {
		int wanted = leasesOnAll > 0 ? EventLayout.MODE_ALL : leased.isEmpty() ? EventLayout.MODE_OFF
				: EventLayout.MODE_NETNS;
		// the config's words in order: mode, follow copies, count, bits, the inline inodes
		int[] value = new int[4 + EventLayout.INLINE_NETNS];
		value[0] = wanted;
		value[1] = followCopies ? 1 : 0;
		value[2] = wanted == EventLayout.MODE_NETNS ? leased.size() : 0;
		value[3] = bitsFor(wanted, leased.keySet());
		if (wanted == EventLayout.MODE_NETNS && leased.size() <= EventLayout.INLINE_NETNS) {
			// one leased while all rows were taken gets a row once they fit again
			for (long inode : leased.keySet()) {
				counts.rowFor(inode);
			}
			long[] rows = counts.rows();
			for (int i = 0; i < rows.length; i++) {
				value[4 + i] = (int) rows[i];
			}
		}
		if (Arrays.equals(value, written)) {
			return;
		}
		try (Arena arena = Arena.ofConfined()) {
			config.put(0, arena.allocateFrom(JAVA_INT, value));
		}
		written = value;
	}

	/**
	 * {@code tp_config.netns_bits} under {@code mode}: none while off, every one while every
	 * namespace is traced, else {@link #bitsOf} the scoped inodes. The probes test a packet's bit
	 * first, whatever the mode, so that a packet out of scope costs them one test.
	 */
	static int bitsFor(int mode, Collection<Long> inodes) {
		return switch (mode) {
			case EventLayout.MODE_OFF -> 0;
			case EventLayout.MODE_NETNS -> bitsOf(inodes);
			default -> -1;
		};
	}

	/**
	 * Bit (inode % 32) of each inode. A probe whose inode's bit is clear knows it is out of scope
	 * without comparing it with the inodes themselves.
	 */
	static int bitsOf(Collection<Long> inodes) {
		int bits = 0;
		for (long inode : inodes) {
			bits |= 1 << (int) (inode & 31);
		}
		return bits;
	}

	/** A namespace (or every one) kept in the filter; closing it is idempotent. */
	public static final class Lease implements AutoCloseable {

		private Runnable release;
		private final Map<CountKey, Long> countsAtLease;

		private Lease(Runnable release, Map<CountKey, Long> countsAtLease) {
			this.release = release;
			this.countsAtLease = Map.copyOf(countsAtLease);
		}

		/** The kernel's totals of the leased namespace (or of every one) just before the lease: a window's baseline. */
		public Map<CountKey, Long> countsAtLease() {
			return countsAtLease;
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
