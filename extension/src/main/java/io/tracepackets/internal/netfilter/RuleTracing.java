package io.tracepackets.internal.netfilter;

import io.tracepackets.DropCulprit;
import io.tracepackets.PacketEvent;
import io.tracepackets.internal.drops.DropAttribution;
import io.tracepackets.internal.drops.RuleMatches;
import io.tracepackets.internal.ffi.Libc;
import io.tracepackets.internal.netns.NetnsRunner;
import io.tracepackets.internal.netns.NamespaceCommand;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which netfilter rule dropped a packet, for one test's namespaces, as netfilter's own records
 * tell it: nf_tables rules (iptables-nft and nft) by the kernel's own trace
 * ({@link NftTraceListener}); iptables-legacy rules, which have no trace, by their counters: the
 * DROP/REJECT rules whose packet counts grew since the namespace was scoped. The drop attribution
 * ({@link DropAttribution}) decides which drops are netfilter's and asks here. The user's rules are
 * only read; the tracing tables are {@link TracingTables}' to keep and delete.
 */
public final class RuleTracing implements RuleMatches {

	private static final Logger LOG = LoggerFactory.getLogger(RuleTracing.class);

	/** The setting that turns this off (@TracePackets documents it), as {@link #whyNoRule} names it. */
	private static final String OFF_SETTING = "tracepackets.netfilter.rules";

	private final boolean enabled;
	private final RuleTexts texts = new RuleTexts();
	private final Map<Long, NftTraceSource> listeners = new HashMap<>();
	private final Map<Long, NetworkNamespace> namespaces = new HashMap<>();
	private final Map<String, LegacyCounters> legacyBefore = new HashMap<>();
	/** Why a namespace's nftables trace could not be set up, by netns inode. */
	private final Map<Long, String> traceFailures = new HashMap<>();
	private boolean closed;
	private boolean polling;

	/** Attribution on, the default. */
	public RuleTracing() {
		this(true);
	}

	/**
	 * @param enabled whether netfilter drops are attributed to their rule ({@code false}: the
	 *     {@code tracepackets.netfilter.rules=false} setting)
	 */
	public RuleTracing(boolean enabled) {
		this.enabled = enabled;
	}

	/**
	 * Starts attributing drops in {@code netns}: joins its nftables trace, with the tracing table
	 * there, and notes its iptables-legacy counters. A failure is logged, never thrown (tracing the
	 * packets matters more): drops there then name no rule.
	 */
	@Override
	public synchronized void add(NetworkNamespace netns) {
		if (closed || namespaces.putIfAbsent(netns.inode(), netns) != null || !enabled) {
			return;
		}
		List<String> families;
		if (netns.entry().isPresent()) {
			TracingTables.removeStale(netns);
			try {
				listeners.put(netns.inode(), NftMonitorTrace.open(netns, netns.entry().get(), TracingTables.newName()));
			} catch (RuntimeException e) {
				traceFailed(netns, e);
			}
			families = legacyFamiliesThroughEntry(netns);
		} else {
			// One visit to the namespace does both: entering it and coming back is two setns calls.
			Visit visit;
			try {
				visit = NetnsRunner.callOnThisThread(netns, () -> visit(netns));
			} catch (RuntimeException e) {
				visit = new Visit(null, e, List.of());
			}
			if (visit.listener() != null) {
				listeners.put(netns.inode(), visit.listener());
			} else {
				traceFailed(netns, visit.failure());
			}
			families = visit.legacyFamilies();
		}
		if (!listeners.isEmpty()) {
			startPolling();
		}
		try {
			for (String family : families) {
				legacyBefore.put(netns.inode() + family, legacyCounters(netns, family));
			}
		} catch (RuntimeException e) {
			LOG.debug("iptables-legacy counters of {} unreadable: {}", netns.label(), e.getMessage());
		}
	}

	/** What a visit inside a namespace found: its trace (or why not) and its iptables-legacy families. */
	private record Visit(NftTraceListener listener, RuntimeException failure, List<String> legacyFamilies) {
	}

	/** Inside {@code netns}: joins its trace, and lists the families it has iptables-legacy tables of. */
	private static Visit visit(NetworkNamespace netns) {
		NftTraceListener listener = null;
		RuntimeException failure = null;
		try {
			listener = NftTraceListener.openInside(netns);
		} catch (RuntimeException e) {
			failure = e;
		}
		List<String> families = new ArrayList<>();
		if (hasTables("/proc/thread-self/net/ip_tables_names")) {
			families.add("ip");
		}
		if (hasTables("/proc/thread-self/net/ip6_tables_names")) {
			families.add("ip6");
		}
		return new Visit(listener, failure, families);
	}

	private void traceFailed(NetworkNamespace netns, RuntimeException e) {
		traceFailures.put(netns.inode(), e.getMessage());
		LOG.warn("netfilter rules will not be named in {}: {}", netns.label(), e.getMessage());
	}

	/**
	 * Drains the trace sockets while the window is open ({@link TraceSocketPoller}): a socket left
	 * unread fills up under traffic, and the kernel then drops the very traces that name the rules.
	 */
	private void startPolling() {
		if (!polling) {
			polling = true;
			TraceSocketPoller.start(this);
		}
	}

	/** Reads what the kernel queued on each trace socket, keeping the drops. */
	void poll() {
		List<NftTraceSource> open;
		synchronized (this) {
			if (closed) {
				return;
			}
			open = List.copyOf(listeners.values());
		}
		open.forEach(NftTraceSource::poll);
	}

	/** Reads iptables-legacy counters at most once per namespace and family per lookup. */
	@Override
	public Lookup lookup() {
		Map<String, LegacyCounters> legacyAfter = new HashMap<>();
		return drop -> {
			synchronized (this) {
				return enabled ? Optional.ofNullable(culprit(drop, legacyAfter)) : Optional.empty();
			}
		};
	}

	private DropCulprit.NetfilterRule culprit(PacketEvent drop, Map<String, LegacyCounters> legacyAfter) {
		NetworkNamespace netns = namespaces.get(drop.netns());
		if (netns == null) {
			return null;
		}
		NftTraceSource listener = listeners.get(drop.netns());
		// An overlay's packet on the underlay: the rules saw its outer headers, the event shows the inner.
		PacketEvent onWire = drop.outer().orElse(drop);
		if (listener != null && onWire.ipVersion() != 0) {
			NftTrace.Tuple tuple = new NftTrace.Tuple(onWire.source(), onWire.destination(), onWire.l4Protocol(),
					onWire.sourcePort(), onWire.destinationPort());
			Optional<NftTrace> trace = listener.takeDrop(tuple);
			if (trace.isPresent()) {
				return texts.culprit(netns, trace.get());
			}
		}
		if (inNfTables(drop) || onWire.ipVersion() == 0) {
			return null;
		}
		String family = onWire.ipVersion() == 6 ? "ip6" : "ip";
		LegacyCounters after = legacyAfter.computeIfAbsent(drop.netns() + family, key -> {
			try {
				return legacyCounters(netns, family);
			} catch (RuntimeException e) {
				return LegacyCounters.NONE;
			}
		});
		LegacyCounters before = legacyBefore.getOrDefault(drop.netns() + family, LegacyCounters.NONE);
		String hook = hookChain(drop.stackFunctions());
		List<LegacyCounters.Entry> grown = after.grownDrops(before).stream()
				.filter(e -> hook == null || !BUILT_IN.contains(e.chain()) || e.chain().equals(hook))
				.filter(e -> e.position() == 0 || LegacyRuleMatch.couldMatch(e.text(), onWire)).toList();
		if (grown.isEmpty()) {
			return null;
		}
		LegacyCounters.Entry first = grown.getFirst();
		List<String> others = grown.subList(1, grown.size()).stream()
				.map(e -> e.table() + " " + e.chain() + ": " + e.text()).toList();
		String tool = family.equals("ip6") ? "ip6tables-legacy" : "iptables-legacy";
		return new DropCulprit.NetfilterRule(tool, family, first.table(), first.chain(), first.position(), 0,
				first.text(), first.position() == 0, "rule counters", others);
	}

	/**
	 * Why no rule was named for the netfilter drop {@code drop}: tracing off, a namespace outside
	 * the attributed ones, a trace that could not be set up or overflowed, or no rule's trace or
	 * counter, so a netfilter hook that is no rule made it.
	 */
	@Override
	public synchronized String whyNoRule(PacketEvent drop) {
		if (!enabled) {
			return "netfilter rule tracing is off (-D" + OFF_SETTING + "=false)";
		}
		NetworkNamespace netns = namespaces.get(drop.netns());
		if (netns == null) {
			return "it was dropped in netns " + drop.netns() + ", outside the namespaces this trace scoped, whose rules"
					+ " are the only ones traced";
		}
		List<String> why = new ArrayList<>();
		NftTraceSource listener = listeners.get(drop.netns());
		if (listener == null) {
			why.add("the nftables trace of " + netns.label() + " could not be set up ("
					+ traceFailures.getOrDefault(drop.netns(), "unknown error") + ")");
		} else if (listener.overflowed()) {
			why.add("the nftables trace of " + netns.label() + " overflowed (the kernel dropped trace messages under"
					+ " load), so it may have lost this packet's");
		} else {
			why.add("the kernel's nftables trace reported no DROP or REJECT verdict of a rule or policy for this"
					+ " packet (iptables-nft, nft)");
		}
		String family = drop.ipVersion() == 6 ? "ip6" : "ip";
		if (legacyBefore.containsKey(drop.netns() + family)) {
			why.add("no iptables-legacy DROP/REJECT rule or DROP policy's counter in " + netns.label()
					+ " grew for a rule that could match it");
		} else {
			why.add(netns.label() + " has no iptables-legacy " + family + " tables");
		}
		return String.join("; ", why) + ": so no rule dropped it; a netfilter hook that is not a rule did, such as"
				+ " conntrack refusing a packet it holds invalid, NAT or defragmentation failing, or another module's"
				+ " hook (br_netfilter, IPVS)";
	}

	private static final List<String> BUILT_IN = List.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING");

	/** The functions that call nf_hook_slow for each built-in chain's hook (IPv4 and IPv6). */
	private static final Map<String, String> HOOK_CALLERS = Map.ofEntries(
			Map.entry("ip_rcv", "PREROUTING"), Map.entry("ipv6_rcv", "PREROUTING"),
			Map.entry("ip_local_deliver", "INPUT"), Map.entry("ip6_input", "INPUT"),
			Map.entry("ip_forward", "FORWARD"), Map.entry("ip6_forward", "FORWARD"),
			Map.entry("__ip_local_out", "OUTPUT"), Map.entry("ip_local_out", "OUTPUT"),
			Map.entry("__ip6_local_out", "OUTPUT"), Map.entry("ip6_local_out", "OUTPUT"),
			Map.entry("ip_output", "POSTROUTING"), Map.entry("ip6_output", "POSTROUTING"));

	/** The built-in chain of the hook that dropped: that of the innermost frame that called nf_hook_slow. */
	static String hookChain(List<String> stack) {
		return stack.stream().map(HOOK_CALLERS::get).filter(java.util.Objects::nonNull).findFirst().orElse(null);
	}

	/** nf_tables dropped it (its chain evaluation freed the skb or called the hook that did). */
	private static boolean inNfTables(PacketEvent drop) {
		return drop.locationFunction().filter("nft_do_chain"::equals).isPresent()
				|| drop.stackFunctions().contains("nft_do_chain");
	}

	/** ip or ip6 when the namespace, which this JVM cannot enter, has iptables-legacy tables of that family. */
	private static List<String> legacyFamiliesThroughEntry(NetworkNamespace netns) {
		try {
			// The same files as inside, read there.
			String names = NamespaceCommand.run(netns, null, "sh", "-c",
					"cat /proc/self/net/ip_tables_names 2>/dev/null; echo --; cat /proc/self/net/ip6_tables_names 2>/dev/null; true");
			String[] parts = names.split("--", 2);
			List<String> families = new ArrayList<>();
			if (!parts[0].isBlank()) {
				families.add("ip");
			}
			if (parts.length > 1 && !parts[1].isBlank()) {
				families.add("ip6");
			}
			return families;
		} catch (RuntimeException e) {
			LOG.debug("iptables-legacy tables of {} unreadable: {}", netns.label(), e.getMessage());
			return List.of();
		}
	}

	private static boolean hasTables(String names) {
		return Libc.hasContent(names);
	}

	private static LegacyCounters legacyCounters(NetworkNamespace netns, String family) {
		String tool = family.equals("ip6") ? "ip6tables-legacy-save" : "iptables-legacy-save";
		return LegacyCounters.parse(NamespaceCommand.run(netns, null, tool, "-c"));
	}


	/**
	 * Closes the trace sockets and hands the tracing tables back ({@link TracingTables} deletes them
	 * once no test has used them for a while); failures are logged, not thrown.
	 */
	@Override
	public synchronized void close() {
		closed = true;
		TraceSocketPoller.stop(this);
		for (NftTraceSource listener : listeners.values()) {
			try {
				if (listener.overflowed()) {
					LOG.warn("the nftables trace of {} overflowed during this test: some netfilter drops may name no rule",
							listener.namespace().label());
				}
				listener.close();
			} catch (RuntimeException e) {
				LOG.warn("could not close the nftables trace of {}: {}", listener.namespace().label(), e.getMessage());
			}
		}
		listeners.clear();
	}
}
