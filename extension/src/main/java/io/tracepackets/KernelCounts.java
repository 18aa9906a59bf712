package io.tracepackets;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What the probes counted in the kernel while a trace was open, in its scope: how many events each
 * probe saw (a tracepoint, a kernel function, the socket_receive or XDP hook) and how many packets
 * were dropped, per namespace, reason and location ({@link PacketTrace#counts()}).
 *
 * <p>The probes count every event they would emit, before it goes to the ring buffer, so the
 * counts are exact whatever the ring buffer or the event store could keep: a flood that loses
 * events loses none of these. They count what the events would show: the same namespaces, the
 * same pcap filter ({@code @TracePackets(filter = ...)}). They count no tuple: a count says how
 * many packets a namespace dropped for a reason, not which ones; the paths say that.
 */
public final class KernelCounts {

	/** Highest count first, then by name. Built once: every test's trace orders its counts at close. */
	private static final Comparator<Map.Entry<String, Long>> HOOK_ORDER = Map.Entry.<String, Long>comparingByValue()
			.reversed().thenComparing(Map.Entry.comparingByKey());
	private static final Comparator<DropCount> DROP_ORDER = Comparator.comparingLong(DropCount::count).reversed()
			.thenComparing((DropCount d) -> d.reason().name()).thenComparing(DropCount::location)
			.thenComparingLong(DropCount::netns);

	private final Map<String, Long> byHook;
	private final List<DropCount> drops;
	private final long uncounted;

	private KernelCounts(Map<String, Long> byHook, List<DropCount> drops, long uncounted) {
		this.byHook = byHook;
		this.drops = drops;
		this.uncounted = uncounted;
	}

	/**
	 * Counts as the tracer read them from the kernel.
	 *
	 * @param byHook events per probe point, named as {@link PacketEvent#where()} names them
	 * @param drops drops per namespace, reason and location
	 * @param uncounted events the kernel had no room to count while the trace was open (0 unless
	 *     its count map was full)
	 * @return the counts, ordered: hooks and drops by count, highest first
	 */
	public static KernelCounts of(Map<String, Long> byHook, List<DropCount> drops, long uncounted) {
		List<Map.Entry<String, Long>> counted = new ArrayList<>(byHook.size());
		for (Map.Entry<String, Long> e : byHook.entrySet()) {
			if (e.getValue() > 0) {
				counted.add(e);
			}
		}
		counted.sort(HOOK_ORDER);
		Map<String, Long> hooks = new LinkedHashMap<>();
		for (Map.Entry<String, Long> e : counted) {
			hooks.put(e.getKey(), e.getValue());
		}
		List<DropCount> sorted = new ArrayList<>(drops);
		sorted.sort(DROP_ORDER);
		return new KernelCounts(Collections.unmodifiableMap(hooks), List.copyOf(sorted), uncounted);
	}

	/**
	 * No counts: a trace that has counted nothing yet.
	 *
	 * @return empty counts
	 */
	public static KernelCounts none() {
		return new KernelCounts(Map.of(), List.of(), 0);
	}

	/**
	 * Events counted at {@code where}, every namespace in scope summed.
	 *
	 * @param where an event name: a tracepoint ({@code "net_dev_queue"}), a kernel function
	 *     ({@code "ip_rcv"}), {@code "socket_receive"} or {@code "xdp"}
	 * @return how many, 0 when none (or when the probes do not see {@code where})
	 */
	public long at(String where) {
		return byHook.getOrDefault(Objects.requireNonNull(where, "where"), 0L);
	}

	/**
	 * Events counted per probe point.
	 *
	 * @return event name to count, highest first; points that counted nothing are left out
	 */
	public Map<String, Long> byHook() {
		return byHook;
	}

	/**
	 * Drops ({@code kfree_skb}) per namespace, reason and location.
	 *
	 * @return highest count first; empty when nothing was dropped
	 */
	public List<DropCount> drops() {
		return drops;
	}

	/**
	 * Every drop counted, whatever its reason, kind and location.
	 *
	 * @return the sum of {@link #drops()}' counts
	 */
	public long dropTotal() {
		return drops.stream().mapToLong(DropCount::count).sum();
	}

	/**
	 * Events the kernel could not count: its count map was full (one entry per namespace, probe
	 * and drop reason and location; 16,384 entries). Nonzero only when a trace scoped every
	 * namespace of a busy machine, with every kernel function probed.
	 *
	 * @return 0 when every count is complete
	 */
	public long uncounted() {
		return uncounted;
	}

	/** The hooks, then the drops, one per line, as failure messages show them. */
	@Override
	public String toString() {
		StringBuilder text = new StringBuilder();
		byHook.forEach((where, count) -> text.append(String.format(Locale.ROOT, "%,14d  %s%n", count, where)));
		for (DropCount drop : drops) {
			text.append(String.format(Locale.ROOT, "%,14d  kfree_skb %s (%s) at %s, netns %d%n", drop.count(),
					drop.reason(), drop.kind().label(), drop.location(), drop.netns()));
		}
		if (uncounted > 0) {
			text.append(String.format(Locale.ROOT, "%,14d  events not counted: the kernel's count map was full%n",
					uncounted));
		}
		return text.isEmpty() ? "(nothing counted)" : text.toString().stripTrailing();
	}
}
