package io.tracepackets.internal.counts;

import io.tracepackets.DropCount;
import io.tracepackets.KernelCounts;
import io.tracepackets.internal.event.EventDecoder;
import io.tracepackets.internal.event.Tracepoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * What one reader of the kernel's counts (a test's window, the command line) counted since it
 * scoped its namespaces, named as its events are: the {@link CountMap}'s totals less the
 * {@link CountBaseline} its leases gave, per probe point and, for drops, per namespace, reason and
 * location. The one reading of the counts both readers share, so that a test and the command line
 * name and sum them alike.
 */
public final class Counted {

	private final CountMap map;
	private final CountBaseline baseline;
	private final EventDecoder names;
	private final long uncountedAtStart;

	/**
	 * @param map the session's counts
	 * @param baseline the totals at each lease, which the reader fills as it scopes namespaces
	 * @param names the reader's decoder, which names probe points and drops as it names events
	 */
	public Counted(CountMap map, CountBaseline baseline, EventDecoder names) {
		this.map = map;
		this.baseline = baseline;
		this.names = names;
		this.uncountedAtStart = map.uncounted();
	}

	/** The counts of the namespaces {@code scope} accepts, less each one's baseline. */
	public KernelCounts read(LongPredicate scope) {
		Map<CountKey, Long> counted = baseline.since(map.read(scope));
		Map<String, Long> byHook = new HashMap<>();
		List<DropCount> drops = new ArrayList<>();
		counted.forEach((key, count) -> {
			byHook.merge(names.whereOf(key.probe(), key.where()), count, Long::sum);
			if (key.probe() == Tracepoint.KFREE_SKB.id()) {
				drops.add(names.dropCount(key.netns(), key.reason(), key.where(), count));
			}
		});
		return KernelCounts.of(byHook, drops, Math.max(0, map.uncounted() - uncountedAtStart));
	}
}
