package io.tracepackets.internal.counts;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.tracepackets.internal.bpf.BpfMap;
import io.tracepackets.internal.event.EventLayout;
import io.tracepackets.internal.ffi.Errno;
import io.tracepackets.internal.ffi.NativeException;
import io.tracepackets.internal.libbpf.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * The kernel's exact counts: the per-CPU {@code counts} hash the probes add to for every event
 * they would emit (bpf/include/skb_events.bpf.h, {@code count_event}), read whole in a few batch
 * calls and summed over the CPUs, and the per-CPU rows of {@code hook_counts} where they count a
 * tracepoint's events of a namespace the config lists itself ({@code count_hook}): row i is the
 * namespace at {@code tp_config.netns[i]}, which {@link #rowFor} assigns and the namespace keeps
 * while it is leased. The totals run from the moment an entry was made (a row from when it was
 * assigned); what a trace counted is the difference from when it scoped a namespace
 * ({@link CountBaseline}). Thread-safe: the namespace filter leases and forgets under its lock,
 * while windows read their counts on their own threads.
 */
public final class CountMap {

	/** Entries read per batch call: more than any hash bucket holds, few enough to stay small. */
	private static final int BATCH_ENTRIES = 512;

	private static final int ROW_BYTES = Long.BYTES * EventLayout.HOOK_COUNTS;

	private final BpfMap counts;
	private final BpfMap counters;
	private final BpfMap hookCounts;
	private final int cpus;
	/** The namespace of each row of {@code hook_counts} (its place in the config); 0: free. */
	private final long[] rows = new long[EventLayout.INLINE_NETNS];
	/**
	 * The reads' and the row resets' buffers, allocated once: a window reads the map three times
	 * (at its lease, its close and its release) and a new lease resets a row, and zeroing fresh
	 * ones each time was a good part of a test's cost before the JIT compiled the fill. Freed by
	 * the GC with the map.
	 */
	private final MemorySegment batchKeys;
	private final MemorySegment batchValues;
	private final MemorySegment batchIn;
	private final MemorySegment batchOut;
	private final MemorySegment batchCount;
	private final MemorySegment rowKey;
	private final MemorySegment rowValues;

	/**
	 * @param counts the probes' {@code counts} map
	 * @param counters the probes' per-CPU {@code counters} array, where a full map counts what it could not keep
	 * @param hookCounts the probes' per-CPU {@code hook_counts} array, a row of counters per inline namespace
	 */
	public CountMap(BpfMap counts, BpfMap counters, BpfMap hookCounts) {
		this.counts = counts;
		this.counters = counters;
		this.hookCounts = hookCounts;
		this.cpus = LibBpf.possibleCpus();
		Arena arena = Arena.ofAuto();
		this.batchKeys = arena.allocate((long) EventLayout.COUNT_KEY_SIZE * BATCH_ENTRIES, 8);
		this.batchValues = arena.allocate((long) Long.BYTES * cpus * BATCH_ENTRIES, 8);
		// A hash map's batch position is a bucket index (u32); 8 bytes leave room for any key.
		this.batchIn = arena.allocate(8, 8);
		this.batchOut = arena.allocate(8, 8);
		this.batchCount = arena.allocate(JAVA_INT);
		this.rowKey = arena.allocate(JAVA_INT);
		this.rowValues = arena.allocate((long) ROW_BYTES * cpus, 8);
	}

	/** The totals of the namespaces {@code netns} accepts, every CPU summed; one batch call per 512 entries. */
	public synchronized Map<CountKey, Long> read(LongPredicate netns) {
		Map<CountKey, Long> totals = new HashMap<>();
		forEach(netns, (key, total) -> totals.merge(key, total, Long::sum));
		readRows(netns, (key, total) -> totals.merge(key, total, Long::sum));
		return totals;
	}

	/**
	 * The row of {@code inode}: the one it has, else a free one, zeroed before it is given (so its
	 * totals start now), else -1 when all are taken (its tracepoint events are then counted in the
	 * hash, as they are whenever the config does not list it).
	 */
	public synchronized int rowFor(long inode) {
		int free = -1;
		for (int i = 0; i < rows.length; i++) {
			if (rows[i] == inode) {
				return i;
			}
			if (rows[i] == 0 && free < 0) {
				free = i;
			}
		}
		if (free >= 0) {
			rowKey.set(JAVA_INT, 0, free);
			rowValues.fill((byte) 0);
			hookCounts.update(rowKey, rowValues);
			rows[free] = inode;
		}
		return free;
	}

	/** Frees the row of {@code inode}, if it has one: no probe counts it there any more. */
	public synchronized void releaseRow(long inode) {
		for (int i = 0; i < rows.length; i++) {
			if (rows[i] == inode) {
				rows[i] = 0;
			}
		}
	}

	/** The namespace of each row (0: free), in row order: where the config lists them. */
	public synchronized long[] rows() {
		return rows.clone();
	}

	/** The counts in the rows of the namespaces {@code netns} accepts: one lookup per row. */
	private void readRows(LongPredicate netns, EntryConsumer consumer) {
		for (int row = 0; row < rows.length; row++) {
			long inode = rows[row];
			if (inode == 0 || !netns.test(inode)) {
				continue;
			}
			rowKey.set(JAVA_INT, 0, row);
			if (!hookCounts.lookup(rowKey, rowValues)) {
				continue;
			}
			for (int probe = 0; probe < EventLayout.HOOK_COUNTS; probe++) {
				long total = 0;
				for (int cpu = 0; cpu < cpus; cpu++) {
					total += rowValues.getAtIndex(JAVA_LONG, (long) cpu * EventLayout.HOOK_COUNTS + probe);
				}
				if (total != 0) {
					consumer.accept(new CountKey(inode, probe, 0, 0), total);
				}
			}
		}
	}

	/**
	 * Deletes the entries of the namespaces {@code netns} accepts: once no trace scopes a namespace,
	 * its counts are read by nobody, and the map must keep room for the namespaces of later tests.
	 */
	public synchronized void forget(LongPredicate netns) {
		List<CountKey> doomed = new ArrayList<>();
		forEach(netns, (key, total) -> doomed.add(key));
		if (doomed.isEmpty()) {
			return;
		}
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment keys = arena.allocate((long) EventLayout.COUNT_KEY_SIZE * doomed.size(), 8);
			for (int i = 0; i < doomed.size(); i++) {
				write(doomed.get(i), keys.asSlice((long) i * EventLayout.COUNT_KEY_SIZE, EventLayout.COUNT_KEY_SIZE));
			}
			MemorySegment count = arena.allocateFrom(JAVA_INT, doomed.size());
			try {
				counts.deleteBatch(keys, count);
			} catch (NativeException gone) {
				// Only the tracer deletes, under the namespace filter's lock: a key gone is one
				// never there, which only a concurrent reader of a closing session could see.
				if (gone.errno() != Errno.ENOENT) {
					throw gone;
				}
			}
		}
	}

	/** Events the probes could not count because the map was full, since the probes were loaded. */
	public long uncounted() {
		return counters.sumPerCpu(EventLayout.COUNTER_UNCOUNTED);
	}

	@FunctionalInterface
	private interface EntryConsumer {
		void accept(CountKey key, long total);
	}

	private void forEach(LongPredicate netns, EntryConsumer consumer) {
		boolean first = true;
		boolean more = true;
		while (more) {
			batchCount.set(JAVA_INT, 0, BATCH_ENTRIES);
			more = counts.lookupBatch(first ? MemorySegment.NULL : batchIn, batchOut, batchKeys, batchValues, batchCount);
			first = false;
			int read = batchCount.get(JAVA_INT, 0);
			for (int i = 0; i < read; i++) {
				CountKey key = key(batchKeys.asSlice((long) i * EventLayout.COUNT_KEY_SIZE, EventLayout.COUNT_KEY_SIZE));
				if (!netns.test(key.netns())) {
					continue;
				}
				long total = 0;
				for (int cpu = 0; cpu < cpus; cpu++) {
					total += batchValues.getAtIndex(JAVA_LONG, (long) i * cpus + cpu);
				}
				consumer.accept(key, total);
			}
			MemorySegment.copy(batchOut, 0, batchIn, 0, 8);
		}
	}

	private static CountKey key(MemorySegment key) {
		return new CountKey(Integer.toUnsignedLong(key.get(JAVA_INT, EventLayout.COUNT_KEY_NETNS)),
				key.get(JAVA_INT, EventLayout.COUNT_KEY_PROBE), key.get(JAVA_INT, EventLayout.COUNT_KEY_REASON),
				key.get(JAVA_LONG, EventLayout.COUNT_KEY_WHERE));
	}

	private static void write(CountKey key, MemorySegment into) {
		into.fill((byte) 0);
		into.set(JAVA_INT, EventLayout.COUNT_KEY_NETNS, (int) key.netns());
		into.set(JAVA_INT, EventLayout.COUNT_KEY_PROBE, key.probe());
		into.set(JAVA_INT, EventLayout.COUNT_KEY_REASON, key.reason());
		into.set(JAVA_LONG, EventLayout.COUNT_KEY_WHERE, key.where());
	}
}
