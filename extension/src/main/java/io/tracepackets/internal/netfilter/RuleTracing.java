package io.tracepackets.internal.netfilter;

import io.tracepackets.DropCulprit;
import io.tracepackets.PacketEvent;
import io.tracepackets.internal.event.EventCopies;
import io.tracepackets.internal.netns.NetnsRunner;
import io.tracepackets.internal.netns.NamespaceCommand;
import io.tracepackets.internal.netns.NetworkNamespace;
import io.tracepackets.internal.tc.TcPrograms;
import io.tracepackets.internal.xdp.XdpPrograms;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which netfilter rule (or tc program) dropped a packet, for one test's namespaces. A tc drop
 * ({@code TC_INGRESS}/{@code TC_EGRESS}) is given the program attached at that hook of that
 * device ({@link TcPrograms}). nf_tables rules (iptables-nft and nft) are named by the kernel's
 * own trace ({@link NftTraceListener}); iptables-legacy rules,
 * which have no trace, by their counters: the DROP/REJECT rules whose packet counts grew since the
 * namespace was scoped. Nothing stays behind: {@link #close()} deletes every tracing table, and the
 * user's rules are only read.
 */
public final class RuleTracing implements AutoCloseable {

	private static final Logger LOG = LoggerFactory.getLogger(RuleTracing.class);
	private static final AtomicInteger TABLES = new AtomicInteger();
	/** The tracing tables' names, as {@link #add} makes them: the JVM's pid and a number. */
	private static final Pattern TABLE = Pattern.compile("table inet (tracepackets_([0-9]{1,10})_[0-9]+)");
	/** Namespaces (inodes) this JVM has looked for tables of killed JVMs in: once each is enough. */
	private static final Set<Long> SWEPT = ConcurrentHashMap.newKeySet();
	private static final long POLL_MILLIS = 2;

	/** The setting that turns this off (@TracePackets documents it), as {@link #whyNoCulprit} names it. */
	private static final String OFF_SETTING = "tracepackets.netfilter.rules";

	private final boolean enabled;
	private final RuleTexts texts = new RuleTexts();
	private final Map<Long, NftTraceListener> listeners = new HashMap<>();
	private final Map<Long, NetworkNamespace> namespaces = new HashMap<>();
	private final Map<String, LegacyCounters> legacyBefore = new HashMap<>();
	private final Map<String, TcPrograms.Hook> tcHooks = new HashMap<>();
	private final Map<Long, List<XdpPrograms.Program>> xdpPrograms = new HashMap<>();
	/** Why a namespace's nftables trace could not be set up, by netns inode. */
	private final Map<Long, String> traceFailures = new HashMap<>();
	/** XDP verdicts held back by the last {@link #attribute(List, boolean)}, in trace order. */
	private final List<PacketEvent> heldXdpVerdicts = new ArrayList<>();
	private boolean closed;
	private Thread poller;

	/** Attribution on, the default. */
	public RuleTracing() {
		this(true);
	}

	/**
	 * @param enabled whether netfilter drops are attributed to their rule ({@code false}: the
	 *     {@code tracepackets.netfilter.rules=false} setting; tc and XDP drops are named either way)
	 */
	public RuleTracing(boolean enabled) {
		this.enabled = enabled;
	}

	/**
	 * Starts attributing drops in {@code netns}: joins its nftables trace and adds the tracing
	 * table, and notes its iptables-legacy counters. A failure is logged, never thrown (tracing the
	 * packets matters more): drops there then name no rule.
	 */
	public synchronized void add(NetworkNamespace netns) {
		if (closed || namespaces.putIfAbsent(netns.inode(), netns) != null || !enabled) {
			return;
		}
		if (SWEPT.add(netns.inode())) {
			removeStaleTables(netns);
		}
		try {
			String table = "tracepackets_" + ProcessHandle.current().pid() + "_" + TABLES.incrementAndGet();
			listeners.put(netns.inode(), NftTraceListener.open(netns, table));
			startPolling();
		} catch (RuntimeException e) {
			traceFailures.put(netns.inode(), e.getMessage());
			LOG.warn("netfilter rules will not be named in {}: {}", netns.label(), e.getMessage());
		}
		try {
			for (String family : legacyFamilies(netns)) {
				legacyBefore.put(netns.inode() + family, legacyCounters(netns, family));
			}
		} catch (RuntimeException e) {
			LOG.debug("iptables-legacy counters of {} unreadable: {}", netns.label(), e.getMessage());
		}
	}

	/**
	 * Deletes the tracing tables a killed JVM left in {@code netns} (a JVM that exits deletes its
	 * own): those whose pid is no running process. Such a table outlives its JVM in a namespace that
	 * lives on, a container's, and keeps every packet there traced. A failure is logged, never
	 * thrown.
	 *
	 * @return the tables deleted
	 */
	static List<String> removeStaleTables(NetworkNamespace netns) {
		List<String> removed = new ArrayList<>();
		Matcher table;
		try {
			table = TABLE.matcher(NamespaceCommand.run(netns, null, "nft", "list", "tables", "inet"));
		} catch (RuntimeException e) {
			// nft may be missing: the trace itself needs it not
			LOG.debug("tracing tables of killed JVMs in {} not looked for: {}", netns.label(), e.getMessage());
			return removed;
		}
		while (table.find()) {
			if (ProcessHandle.of(Long.parseLong(table.group(2))).isEmpty()) {
				try {
					NamespaceCommand.run(netns, null, "nft", "delete", "table", "inet", table.group(1));
					removed.add(table.group(1));
				} catch (RuntimeException e) {
					// another JVM may have deleted it first
					LOG.debug("{} in {} not deleted: {}", table.group(1), netns.label(), e.getMessage());
				}
			}
		}
		if (!removed.isEmpty()) {
			LOG.info("deleted nftables tracing tables that killed JVMs left in {}: {}", netns.label(), removed);
		}
		return removed;
	}

	/**
	 * Drains the trace sockets every {@value #POLL_MILLIS} ms while the window is open: a socket
	 * left unread fills up under traffic, and the kernel then drops the very traces that name the
	 * rules.
	 */
	private void startPolling() {
		if (poller != null) {
			return;
		}
		poller = Thread.ofPlatform().daemon(true).name("tracepackets-nftrace").start(() -> {
			while (!Thread.currentThread().isInterrupted()) {
				List<NftTraceListener> open;
				synchronized (this) {
					if (closed) {
						return;
					}
					open = List.copyOf(listeners.values());
				}
				try {
					open.forEach(NftTraceListener::poll);
					Thread.sleep(POLL_MILLIS);
				} catch (InterruptedException e) {
					return;
				} catch (RuntimeException e) {
					LOG.debug("nftrace poll: {}", e.getMessage());
				}
			}
		});
	}

	/**
	 * {@code batch} with each netfilter drop's culprit set where one is found; the other events
	 * unchanged. Reads iptables-legacy counters at most once per namespace and family per batch.
	 */
	public List<PacketEvent> attribute(List<PacketEvent> batch) {
		return attribute(batch, true);
	}

	/**
	 * As {@link #attribute(List)}, for a reader that reads on: with {@code complete} false, an XDP
	 * probe's verdict that no skb free follows yet is held back until the next call, since the
	 * free that veth and generic XDP run right after it may sit in the next batch; held once, it is
	 * given out then, free or not (a NIC driver's XDP frees no skb). {@code complete}: everything
	 * the kernel wrote before a flush has been read, nothing more will follow these events.
	 */
	public synchronized List<PacketEvent> attribute(List<PacketEvent> batch, boolean complete) {
		List<PacketEvent> held = List.copyOf(heldXdpVerdicts);
		heldXdpVerdicts.clear();
		if (!held.isEmpty()) {
			List<PacketEvent> joined = new ArrayList<>(held);
			joined.addAll(batch);
			batch = joined;
		}
		if (namespaces.isEmpty()) {
			return batch;
		}
		Map<String, LegacyCounters> legacyAfter = new HashMap<>();
		List<PacketEvent> out = new ArrayList<>(batch.size());
		List<PacketEvent> seenByXdpProbe = new ArrayList<>();
		for (PacketEvent event : batch) {
			if (isXdpVerdict(event) && skbFreeFollows(event, batch)) {
				// veth and generic XDP run on an skb and free it after the verdict: that free is
				// the packet's drop, and this event the proof of who dropped it.
				seenByXdpProbe.add(event);
				continue;
			}
			if (isXdpVerdict(event) && !complete && held.stream().noneMatch(h -> h == event)) {
				heldXdpVerdicts.add(event);
				continue;
			}
			PacketEvent probed = isXdpSkbDrop(event) ? seenByXdpProbe.stream().filter(x -> sameFrame(x, event))
					.findFirst().orElse(null) : null;
			if (probed != null) {
				seenByXdpProbe.remove(probed);
				DropCulprit byProbe = xdpProgram(probed, DropCulprit.BpfProgram.SEEN_RETURNING_DROP);
				out.add(byProbe == null ? event : EventCopies.withCulprit(event, byProbe));
				continue;
			}
			DropCulprit culprit = isNetfilterDrop(event) ? (enabled ? culprit(event, legacyAfter) : null)
					: tcHook(event) != null ? tcProgram(event)
					: isXdpVerdict(event) ? xdpProgram(event, DropCulprit.BpfProgram.SEEN_RETURNING_DROP)
					: isXdpSkbDrop(event) ? xdpProgram(event, DropCulprit.BpfProgram.BY_ATTACH_POINT) : null;
			out.add(culprit == null ? event : EventCopies.withCulprit(event, culprit));
		}
		return out;
	}

	private DropCulprit culprit(PacketEvent drop, Map<String, LegacyCounters> legacyAfter) {
		NetworkNamespace netns = namespaces.get(drop.netns());
		if (netns == null) {
			return null;
		}
		NftTraceListener listener = listeners.get(drop.netns());
		if (listener != null && drop.ipVersion() != 0) {
			NftTrace.Tuple tuple = new NftTrace.Tuple(drop.source(), drop.destination(), drop.l4Protocol(),
					drop.sourcePort(), drop.destinationPort());
			Optional<NftTrace> trace = listener.takeDrop(tuple);
			if (trace.isPresent()) {
				return texts.culprit(netns, trace.get());
			}
		}
		if (inNfTables(drop) || drop.ipVersion() == 0) {
			return null;
		}
		String family = drop.ipVersion() == 6 ? "ip6" : "ip";
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
				.filter(e -> e.position() == 0 || LegacyRuleMatch.couldMatch(e.text(), drop)).toList();
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
	 * Why {@code drop} was given no culprit, as far as this attribution can tell: tracing off, a
	 * namespace outside the attributed ones, a trace that could not be set up or overflowed, no
	 * rule's trace or counter, or a drop that no rule or program made.
	 *
	 * @param drop a drop event (kfree_skb, or the XDP probe's) without a culprit
	 * @return one sentence, for failure messages
	 */
	public synchronized String whyNoCulprit(PacketEvent drop) {
		String reason = drop.dropReason() == null ? "XDP_DROP" : drop.dropReason().name();
		if (tcHook(drop) != null) {
			return "no tc program is attached at " + (drop.interfaceName() == null ? "the device" : drop.interfaceName())
					+ " " + tcHook(drop) + " now (detached before the assertion?), and the drop's tracepoint does not"
					+ " say which program returned TC_ACT_SHOT";
		}
		if (isXdpVerdict(drop) || isXdpSkbDrop(drop)) {
			return "no XDP program " + (isXdpSkbDrop(drop) && XdpPrograms.modeFreeing(drop) != null ? "in " + XdpPrograms.modeFreeing(drop) + " mode " : "")
					+ "is attached at " + (drop.interfaceName() == null ? "the device" : drop.interfaceName())
					+ " now (detached before the assertion?)";
		}
		if (!isNetfilterDrop(drop)) {
			return "it was not a netfilter, tc or XDP drop (" + reason + drop.locationFunction().map(f -> " at " + f).orElse("")
					+ "): no rule or program made it; its sentence says what did";
		}
		if (!enabled) {
			return "netfilter rule tracing is off (-D" + OFF_SETTING + "=false)";
		}
		NetworkNamespace netns = namespaces.get(drop.netns());
		if (netns == null) {
			return "it was dropped in netns " + drop.netns() + ", outside the namespaces this trace scoped, whose rules"
					+ " are the only ones traced";
		}
		List<String> why = new ArrayList<>();
		NftTraceListener listener = listeners.get(drop.netns());
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

	/**
	 * Whether {@code event} is a drop that a rule or program makes (netfilter, tc, XDP), so one that
	 * {@link #attribute} tries to name the culprit of.
	 */
	public static boolean isRuleOrProgramDrop(PacketEvent event) {
		return isNetfilterDrop(event) || tcHook(event) != null || isXdpVerdict(event) || isXdpSkbDrop(event);
	}

	/** {@code "ingress"} or {@code "egress"} for a drop by a tc hook, else null. */
	private static String tcHook(PacketEvent event) {
		if (!event.isDrop() || event.dropReason() == null) {
			return null;
		}
		return switch (event.dropReason().name()) {
			case "TC_INGRESS" -> "ingress";
			case "TC_EGRESS" -> "egress";
			default -> null;
		};
	}

	/** The tc program attached where the kernel dropped it (the first, if several), by attach point. */
	private DropCulprit tcProgram(PacketEvent drop) {
		NetworkNamespace netns = namespaces.get(drop.netns());
		if (netns == null || drop.ifindex() == 0) {
			return null;
		}
		String direction = tcHook(drop);
		TcPrograms.Hook hook = tcHooks.computeIfAbsent(drop.netns() + "/" + drop.ifindex() + "/" + direction,
				key -> TcPrograms.attached(netns, drop.ifindex(), direction));
		if (hook.programs().isEmpty()) {
			return null;
		}
		List<TcPrograms.Program> programs = hook.programs();
		TcPrograms.Program first = programs.getFirst();
		return new DropCulprit.BpfProgram(first.name(), first.id(), hook.device(), "tc " + direction,
				programs.subList(1, programs.size()).stream().map(p -> p.name() + " (id " + p.id() + ")").toList());
	}

	/**
	 * A drop of an skb by XDP: the kernel's XDP reason (where it has one), or a free in generic
	 * XDP's code or veth's native XDP path.
	 */
	private static boolean isXdpSkbDrop(PacketEvent event) {
		if (!event.isDrop() || PacketEvent.XDP.equals(event.where())) {
			return false;
		}
		return event.dropReason() != null && event.dropReason().name().equals("XDP")
				|| XdpPrograms.modeFreeing(event) != null;
	}


	/** Whether the batch holds, after the probe's event, the free of the same frame's skb. */
	private static boolean skbFreeFollows(PacketEvent probed, List<PacketEvent> batch) {
		int at = batch.indexOf(probed);
		return batch.subList(at + 1, batch.size()).stream().anyMatch(e -> isXdpSkbDrop(e) && sameFrame(probed, e));
	}

	/** The same packet on the same device and CPU: the verdict and the free run back to back. */
	private static boolean sameFrame(PacketEvent probed, PacketEvent drop) {
		return probed.cpu() == drop.cpu() && probed.netns() == drop.netns() && probed.ifindex() == drop.ifindex()
				&& Objects.equals(probed.source(), drop.source())
				&& Objects.equals(probed.destination(), drop.destination())
				&& probed.l4Protocol() == drop.l4Protocol() && probed.sourcePort() == drop.sourcePort()
				&& probed.destinationPort() == drop.destinationPort();
	}

	/** An event of the probe on an XDP program (fexit), which the kernel only emits for a drop verdict. */
	private static boolean isXdpVerdict(PacketEvent event) {
		return event.isDrop() && PacketEvent.XDP.equals(event.where());
	}

	/**
	 * The XDP program of the drop's device: for the fexit probe's event, the program it names by id;
	 * for a generic drop, the generic-mode program attached there (by attach point).
	 */
	private DropCulprit xdpProgram(PacketEvent drop, String evidence) {
		NetworkNamespace netns = namespaces.get(drop.netns());
		if (netns == null || drop.ifindex() == 0) {
			return null;
		}
		List<XdpPrograms.Program> candidates = xdpCandidates(netns, drop, evidence);
		if (candidates.isEmpty() && xdpPrograms.remove(drop.netns()) != null) {
			// Attached after the list was read: read it again.
			candidates = xdpCandidates(netns, drop, evidence);
		}
		if (candidates.isEmpty()) {
			return null;
		}
		XdpPrograms.Program program = candidates.getFirst();
		return new DropCulprit.BpfProgram(program.name(), program.id(), program.device(),
				program.mode().equals("native") ? "xdp" : "xdp " + program.mode(), List.of(), evidence);
	}

	/** The XDP programs of the drop's device that could have made it, from the namespace's list (read once). */
	private List<XdpPrograms.Program> xdpCandidates(NetworkNamespace netns, PacketEvent drop, String evidence) {
		List<XdpPrograms.Program> onDevice = xdpPrograms.computeIfAbsent(drop.netns(), key -> XdpPrograms.attached(netns))
				.stream().filter(p -> p.ifindex() == drop.ifindex()).toList();
		return evidence.equals(DropCulprit.BpfProgram.SEEN_RETURNING_DROP)
				? onDevice.stream().filter(p -> drop.location() != null && drop.location().equals("prog#" + p.id())).toList()
				: onDevice.stream().filter(p -> XdpPrograms.modeFreeing(drop) == null || p.mode().equals(XdpPrograms.modeFreeing(drop))).toList();
	}

	/**
	 * The XDP programs attached in the namespaces being attributed, asked of the kernel now: what a
	 * failure names when a packet vanished before the stack saw it.
	 */
	public synchronized List<XdpPrograms.Program> xdpPrograms() {
		List<XdpPrograms.Program> all = new ArrayList<>();
		for (NetworkNamespace netns : namespaces.values()) {
			all.addAll(XdpPrograms.attached(netns));
		}
		return all;
	}

	private static final List<String> BUILT_IN = List.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING");

	/** The built-in chain of the hook that dropped, from the functions that called nf_hook_slow. */
	static String hookChain(List<String> stack) {
		for (String frame : stack) {
			switch (frame) {
				case "ip_local_deliver", "ip6_input" -> {
					return "INPUT";
				}
				case "ip_forward", "ip6_forward" -> {
					return "FORWARD";
				}
				case "ip_rcv", "ipv6_rcv" -> {
					return "PREROUTING";
				}
				case "__ip_local_out", "ip_local_out", "__ip6_local_out", "ip6_local_out" -> {
					return "OUTPUT";
				}
				case "ip_output", "ip6_output" -> {
					return "POSTROUTING";
				}
				default -> {
				}
			}
		}
		return null;
	}

	private static boolean isNetfilterDrop(PacketEvent event) {
		if (!event.isDrop() || event.dropReason() == null) {
			return false;
		}
		String reason = event.dropReason().name();
		return reason.equals("NETFILTER_DROP") || reason.equals("NOT_SPECIFIED")
				&& event.locationFunction().filter(f -> f.equals("nf_hook_slow") || f.equals("nft_do_chain")).isPresent();
	}

	/** nf_tables dropped it (its chain evaluation freed the skb or called the hook that did). */
	private static boolean inNfTables(PacketEvent drop) {
		return drop.locationFunction().filter("nft_do_chain"::equals).isPresent()
				|| drop.stackFunctions().contains("nft_do_chain");
	}

	/** ip or ip6 when the namespace has iptables-legacy tables of that family. */
	private static List<String> legacyFamilies(NetworkNamespace netns) {
		return NetnsRunner.call(netns, () -> {
			List<String> families = new ArrayList<>();
			if (hasTables(Path.of("/proc/thread-self/net/ip_tables_names"))) {
				families.add("ip");
			}
			if (hasTables(Path.of("/proc/thread-self/net/ip6_tables_names"))) {
				families.add("ip6");
			}
			return families;
		});
	}

	private static boolean hasTables(Path names) {
		try {
			return Files.exists(names) && !Files.readString(names).isBlank();
		} catch (IOException e) {
			return false;
		}
	}

	private static LegacyCounters legacyCounters(NetworkNamespace netns, String family) {
		String tool = family.equals("ip6") ? "ip6tables-legacy-save" : "iptables-legacy-save";
		return LegacyCounters.parse(NamespaceCommand.run(netns, null, tool, "-c"));
	}


	/** Deletes every tracing table and closes the trace sockets; failures are logged, not thrown. */
	@Override
	public synchronized void close() {
		closed = true;
		if (poller != null) {
			poller.interrupt();
		}
		for (NftTraceListener listener : listeners.values()) {
			try {
				if (listener.overflowed()) {
					LOG.warn("the nftables trace of {} overflowed during this test: some netfilter drops may name no rule",
							listener.namespace().label());
				}
				listener.close();
			} catch (RuntimeException e) {
				LOG.warn("could not delete the tracing table in {}: {}", listener.namespace().label(), e.getMessage());
			}
		}
		listeners.clear();
	}
}
