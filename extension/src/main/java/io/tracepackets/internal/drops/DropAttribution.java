package io.tracepackets.internal.drops;

import io.tracepackets.DropCulprit;
import io.tracepackets.DropReason;
import io.tracepackets.PacketEvent;
import io.tracepackets.internal.netns.NetworkNamespace;
import io.tracepackets.internal.record.SharedTexts;
import io.tracepackets.internal.tc.TcPrograms;
import io.tracepackets.internal.xdp.XdpPrograms;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who dropped a packet, for one test's namespaces: each drop is given the culprit its reason and
 * location point at ({@link CulpritTable}): a netfilter rule or policy, as netfilter's own records
 * name it ({@link RuleMatches}); the tc program attached at the hook of the device that dropped it
 * ({@link TcPrograms}), since the drop's tracepoint does not say which returned
 * {@code TC_ACT_SHOT}; or the XDP program of the device ({@link XdpPrograms}), seen returning the
 * verdict by the probe on it, or by attach point where generic or veth XDP freed the skb after it.
 */
public final class DropAttribution implements AutoCloseable {

	private static final CulpritTable CULPRITS = CulpritTable.load();
	/** The kernel's reason for an XDP program's drop of an skb, where it has one. */
	private static final String XDP_REASON = "XDP";

	private final RuleMatches rules;
	private final Map<Long, NetworkNamespace> namespaces = new HashMap<>();
	private final Map<String, TcPrograms.Hook> tcHooks = new HashMap<>();
	private final Map<Long, List<XdpPrograms.Program>> xdpPrograms = new HashMap<>();
	/**
	 * The sentence of a drop that no rule or program made, by its reason and location: a flood's
	 * millions of drops each built it again from the same two, and pooled it by hashing the result.
	 */
	private final Map<NotARuleDrop, String> notARuleDrop = new HashMap<>();
	/** XDP verdicts held back by the last {@link #attribute(List, boolean)}, in trace order. */
	private final List<PacketEvent> heldXdpVerdicts = new ArrayList<>();

	/**
	 * @param rules netfilter's rule matches, which this attribution adds namespaces to and closes
	 */
	public DropAttribution(RuleMatches rules) {
		this.rules = Objects.requireNonNull(rules, "rules");
	}

	/** Starts attributing the drops in {@code netns}, its netfilter rules included. */
	public synchronized void add(NetworkNamespace netns) {
		namespaces.putIfAbsent(netns.inode(), netns);
		rules.add(netns);
	}

	/**
	 * {@code batch} with each drop's culprit set where one is found; the other events unchanged.
	 * Reads iptables-legacy counters at most once per namespace and family per batch.
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
			return batch.stream().map(this::withWhyNoCulprit).toList();
		}
		RuleMatches.Lookup ruleLookup = rules.lookup();
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
			Optional<CulpritTable.Row> suspect = suspect(event);
			PacketEvent probed = isXdpSkbDrop(suspect) ? seenByXdpProbe.stream().filter(x -> sameFrame(x, event))
					.findFirst().orElse(null) : null;
			if (probed != null) {
				seenByXdpProbe.remove(probed);
				DropCulprit byProbe = xdpProgram(probed, DropCulprit.BpfProgram.SEEN_RETURNING_DROP, null);
				out.add(byProbe == null ? withWhyNoCulprit(event) : EventCopies.withCulprit(event, byProbe));
				continue;
			}
			DropCulprit culprit = isXdpVerdict(event) ? xdpProgram(event, DropCulprit.BpfProgram.SEEN_RETURNING_DROP, null)
					: suspect.map(row -> switch (row.culprit()) {
						case NETFILTER -> ruleLookup.ruleThatDropped(event).orElse(null);
						case TC -> tcProgram(event, row.at());
						case XDP -> xdpProgram(event, DropCulprit.BpfProgram.BY_ATTACH_POINT, row.at());
					}).orElse(null);
			out.add(culprit == null ? withWhyNoCulprit(event) : EventCopies.withCulprit(event, culprit));
		}
		return out;
	}

	/**
	 * A drop given no culprit, with why none was named, decided now, with the lookup that found
	 * none: the failure messages and the CLI read it from the event, never ask back; other
	 * events unchanged.
	 */
	private PacketEvent withWhyNoCulprit(PacketEvent event) {
		return event.isDrop() && event.culprit().isEmpty() ? EventCopies.withWhyNoCulprit(event, whyNoCulprit(event))
				: event;
	}

	/**
	 * Why {@code drop} was given no culprit, as far as this attribution can tell: no program
	 * attached where a tc or XDP drop happened, netfilter's reason ({@link RuleMatches#whyNoRule}),
	 * or a drop that no rule or program made.
	 *
	 * @param drop a drop event (kfree_skb, or the XDP probe's) without a culprit
	 * @return one sentence, which {@link #attribute} gives the drop ({@link PacketEvent#whyNoCulprit()})
	 */
	public synchronized String whyNoCulprit(PacketEvent drop) {
		// The probe's event is an XDP drop in whatever mode the program runs.
		Optional<CulpritTable.Row> suspect = isXdpVerdict(drop) ? CULPRITS.suspect(XDP_REASON, null) : suspect(drop);
		if (suspect.isEmpty()) {
			return notARuleDrop.computeIfAbsent(new NotARuleDrop(drop.dropReason(), drop.location()), key -> {
				String reason = drop.dropReason() == null ? "XDP_DROP" : drop.dropReason().name();
				return SharedTexts.of("it was not a netfilter, tc or XDP drop (" + reason + drop.locationFunction()
						.map(f -> " at " + f).orElse("") + "): no rule or program made it; its sentence says what did");
			});
		}
		CulpritTable.Row row = suspect.get();
		return row.culprit() == CulpritTable.Culprit.NETFILTER ? rules.whyNoRule(drop) : row.whyNone(drop.interfaceName());
	}

	/** What the sentence of a drop no rule or program made depends on. */
	private record NotARuleDrop(DropReason reason, String location) {
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

	/**
	 * Whether {@code event} is a drop that a rule or program makes (netfilter, tc, XDP), so one that
	 * {@link #attribute} tries to name the culprit of.
	 *
	 * @param event any event
	 * @return true for a drop whose culprit a rule or program would be
	 */
	public static boolean isRuleOrProgramDrop(PacketEvent event) {
		return isXdpVerdict(event) || suspect(event).isPresent();
	}

	/**
	 * Whether {@code event} is a drop by generic XDP, whose drop reallocates the head of an skb
	 * without XDP headroom right before running the program.
	 */
	public static boolean isGenericXdpDrop(PacketEvent event) {
		return suspect(event).filter(row -> row.culprit() == CulpritTable.Culprit.XDP && "generic".equals(row.at()))
				.isPresent();
	}

	/** The table's row for a kfree_skb drop; empty for other events, the XDP probe's included. */
	private static Optional<CulpritTable.Row> suspect(PacketEvent event) {
		if (!event.isDrop() || isXdpVerdict(event)) {
			return Optional.empty();
		}
		Suspected key = new Suspected(event.dropReason(), event.location());
		Optional<CulpritTable.Row> known = SUSPECTS.get(key);
		if (known == null) {
			known = CULPRITS.suspect(event.dropReason() == null ? null : event.dropReason().name(),
					event.locationFunction().orElse(null));
			if (SUSPECTS.size() < MOST_SUSPECTED) {
				SUSPECTS.put(key, known);
			}
		}
		return known;
	}

	/**
	 * The table's rows by a drop's reason and location: a flood's drops each streamed through the
	 * table and cut the location's function out again, twice. Kernel code has few places that drop,
	 * each for few reasons; past {@value #MOST_SUSPECTED}, new ones are not kept.
	 */
	private static final Map<Suspected, Optional<CulpritTable.Row>> SUSPECTS = new ConcurrentHashMap<>();
	private static final int MOST_SUSPECTED = 4096;

	private record Suspected(DropReason reason, String location) {
	}

	/** A drop of an skb by XDP: the kernel's XDP reason, or a free in generic XDP's code or veth's native XDP path. */
	private static boolean isXdpSkbDrop(Optional<CulpritTable.Row> suspect) {
		return suspect.filter(row -> row.culprit() == CulpritTable.Culprit.XDP).isPresent();
	}

	/** An event of the probe on an XDP program (fexit), which the kernel only emits for a drop verdict. */
	public static boolean isXdpVerdict(PacketEvent event) {
		return event.isDrop() && PacketEvent.XDP.equals(event.where());
	}

	/** Whether the batch holds, after the probe's event, the free of the same frame's skb. */
	private static boolean skbFreeFollows(PacketEvent probed, List<PacketEvent> batch) {
		int at = batch.indexOf(probed);
		return batch.subList(at + 1, batch.size()).stream()
				.anyMatch(e -> isXdpSkbDrop(suspect(e)) && sameFrame(probed, e));
	}

	/** The same packet on the same device and CPU: the verdict and the free run back to back. */
	private static boolean sameFrame(PacketEvent probed, PacketEvent drop) {
		return probed.cpu() == drop.cpu() && probed.netns() == drop.netns() && probed.ifindex() == drop.ifindex()
				&& Objects.equals(probed.source(), drop.source())
				&& Objects.equals(probed.destination(), drop.destination())
				&& probed.l4Protocol() == drop.l4Protocol() && probed.sourcePort() == drop.sourcePort()
				&& probed.destinationPort() == drop.destinationPort();
	}

	/** The tc program attached where the kernel dropped it (the first, if several), by attach point. */
	private DropCulprit tcProgram(PacketEvent drop, String direction) {
		NetworkNamespace netns = namespaces.get(drop.netns());
		if (netns == null || drop.ifindex() == 0) {
			return null;
		}
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
	 * The XDP program of the drop's device: for the probe's event, the program it names by id; for
	 * a drop of an skb, the program attached there in {@code mode} (any when null), by attach point.
	 */
	private DropCulprit xdpProgram(PacketEvent drop, String evidence, String mode) {
		NetworkNamespace netns = namespaces.get(drop.netns());
		if (netns == null || drop.ifindex() == 0) {
			return null;
		}
		List<XdpPrograms.Program> candidates = xdpCandidates(netns, drop, evidence, mode);
		if (candidates.isEmpty() && xdpPrograms.remove(drop.netns()) != null) {
			// Attached after the list was read: read it again.
			candidates = xdpCandidates(netns, drop, evidence, mode);
		}
		if (candidates.isEmpty()) {
			return null;
		}
		XdpPrograms.Program program = candidates.getFirst();
		return new DropCulprit.BpfProgram(program.name(), program.id(), program.device(),
				program.mode().equals("native") ? "xdp" : "xdp " + program.mode(), List.of(), evidence);
	}

	/** The XDP programs of the drop's device that could have made it, from the namespace's list (read once). */
	private List<XdpPrograms.Program> xdpCandidates(NetworkNamespace netns, PacketEvent drop, String evidence,
			String mode) {
		List<XdpPrograms.Program> onDevice = xdpPrograms.computeIfAbsent(drop.netns(), key -> XdpPrograms.attached(netns))
				.stream().filter(p -> p.ifindex() == drop.ifindex()).toList();
		return evidence.equals(DropCulprit.BpfProgram.SEEN_RETURNING_DROP)
				? onDevice.stream().filter(p -> XdpVerdict.location(p.id()).equals(drop.location())).toList()
				: onDevice.stream().filter(p -> mode == null || p.mode().equals(mode)).toList();
	}

	/** Closes netfilter's rule matches: their tracing tables go. */
	@Override
	public synchronized void close() {
		rules.close();
	}
}
