package io.tracepackets.assertj;

import static io.tracepackets.assertj.error.DropsShould.shouldBeARuleItsToolReads;
import static io.tracepackets.assertj.error.DropsShould.shouldBeDroppedBy;
import static io.tracepackets.assertj.error.PacketsShould.shouldAllBe;
import static io.tracepackets.assertj.error.TraceShould.shouldBeKnownName;

import io.tracepackets.DropCulprit;
import io.tracepackets.DropReason;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketFilter;
import io.tracepackets.PacketPath;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.assertj.error.Expectation;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.assertj.core.api.AbstractAssert;

/** Assertions on how the matching packets were dropped: where, and for which reason. */
public class DropsAssert extends AbstractAssert<DropsAssert, PacketTrace> {

	private final PacketFilter filter;
	private final List<PacketPath> dropped;

	/**
	 * Made by {@link PacketsAssert#wereDropped()} and {@link PacketsAssert#wereDiscardedAfterDelivery()},
	 * once every matching packet has a drop of the kind they ask for.
	 *
	 * @param actual the trace, which knows the kernel's names and gives the data failures show
	 * @param filter which packets, shown in failure messages
	 * @param dropped the matching packets, each with a {@code kfree_skb} event on its path
	 */
	public DropsAssert(PacketTrace actual, PacketFilter filter, List<PacketPath> dropped) {
		super(actual, DropsAssert.class);
		this.filter = filter;
		this.dropped = dropped;
	}

	/**
	 * Every drop happened in {@code function}: it is the drop location, or a caller in the drop's
	 * kernel stack (iptables-nft drops at nft_do_chain, called by nf_hook_slow).
	 *
	 * @param function a kernel function's name without offset, e.g. {@code "nf_hook_slow"}; a name
	 *     the running kernel lacks fails with suggestions
	 * @return this assertion, for chaining
	 */
	public DropsAssert in(String function) {
		if (!actual.probes().exists(function)) {
			throwAssertionError(shouldBeKnownName(function, "kernel function", actual.probes().suggestions(function)));
		}
		if (!dropped.stream().allMatch(path -> droppedIn(path, function))) {
			throwAssertionError(shouldAllBe(actual, filter, Expectation.toBeDroppedIn(function), dropped,
					path -> droppedIn(path, function)));
		}
		return myself;
	}

	/**
	 * Every drop had {@code reason}.
	 *
	 * @param reason e.g. {@link DropReason#NETFILTER_DROP}; a name the running kernel lacks fails
	 *     with suggestions
	 * @return this assertion, for chaining
	 * @throws TracingUnavailableException on a kernel without drop reasons (before Linux 5.17,
	 *     which frees every dropped skb without one): the test is skipped, or failed in strict mode,
	 *     rather than given an answer the kernel cannot back; {@link #in(String)} still works there
	 */
	public DropsAssert withReason(DropReason reason) {
		List<String> known = actual.probes().dropReasons();
		if (known.isEmpty()) {
			// Not a failure of the packets: the kernel never says why, so no reason can be checked.
			throw new TracingUnavailableException("drop reason " + reason.name(), "this kernel has no drop reasons"
					+ " (enum skb_drop_reason and kfree_skb's reason argument came with Linux 5.17), so no drop"
					+ " can be checked for one; assert where the packets were dropped instead, e.g."
					+ " wereDropped().in(\"nf_hook_slow\")");
		}
		if (!known.contains(reason.name())) {
			throwAssertionError(shouldBeKnownName(reason.name(), "drop reason of this kernel",
					actual.probes().dropReasonSuggestions(reason.name())));
		}
		if (!dropped.stream().allMatch(path -> reason.equals(path.drop().orElseThrow().dropReason()))) {
			throwAssertionError(shouldAllBe(actual, filter, Expectation.toBeDroppedWithReason(reason), dropped,
					path -> reason.equals(path.drop().orElseThrow().dropReason())));
		}
		return myself;
	}

	/**
	 * Every drop was by this netfilter rule, named by the kernel's nftables trace (iptables-nft,
	 * nft) or by its counter (iptables-legacy). The text is read by the tool that wrote the
	 * dropping rule, in a scratch network namespace ({@link PacketTrace#rulesAsWritten}), so it
	 * matches however the tool spells it back: defaults, long options, masks and protocol matches
	 * are the tool's to add.
	 *
	 * @param rule the rule as typed: iptables arguments, e.g. {@code "-p udp --dport 8096 -j
	 *     REJECT"} (with or without {@code -A INPUT}), or an nft rule's statements, e.g.
	 *     {@code "udp dport 9000 counter drop"}; a text the tool refuses fails with the tool's message
	 * @return this assertion, for chaining
	 */
	public DropsAssert byRule(String rule) {
		isNotNull();
		Map<PacketPath, List<String>> written = new IdentityHashMap<>();
		Map<String, List<String>> byTool = new TreeMap<>();
		for (PacketPath path : dropped) {
			Optional<DropCulprit.NetfilterRule> culprit = rule(path).filter(r -> !r.policy());
			if (culprit.isPresent()) {
				try {
					written.put(path, actual.rulesAsWritten(path, rule));
					byTool.putIfAbsent(culprit.get().tool(), written.get(path));
				} catch (IllegalArgumentException refused) {
					throwAssertionError(shouldBeARuleItsToolReads(filter, rule, culprit.get().tool(), refused.getMessage()));
				}
			}
		}
		Predicate<PacketPath> byRule = path -> rule(path)
				.filter(r -> written.getOrDefault(path, List.of()).contains(r.rule())).isPresent();
		if (!dropped.stream().allMatch(byRule)) {
			byTool.values().removeIf(lines -> lines.equals(List.of(String.join(" ", rule.strip().split("\\s+")))));
			throwAssertionError(shouldBeDroppedBy(actual, filter, Expectation.toBeDroppedByRule(rule, byTool), dropped,
					byRule));
		}
		return myself;
	}

	/**
	 * Every drop was by a rule or the policy of this chain.
	 *
	 * @param table the table, e.g. {@code "filter"}
	 * @param chain the chain, e.g. {@code "INPUT"}
	 * @return this assertion, for chaining
	 */
	public DropsAssert inChain(String table, String chain) {
		isNotNull();
		Predicate<PacketPath> inChain = path -> rule(path)
				.filter(r -> r.table().equals(table) && r.chain().equals(chain)).isPresent();
		if (!dropped.stream().allMatch(inChain)) {
			throwAssertionError(shouldBeDroppedBy(actual, filter, Expectation.toBeDroppedInChain(table, chain), dropped,
					inChain));
		}
		return myself;
	}

	/**
	 * Every drop was by a chain's policy (no rule matched the packet, and the chain's policy is
	 * DROP).
	 *
	 * @return this assertion, for chaining
	 */
	public DropsAssert byPolicy() {
		isNotNull();
		Predicate<PacketPath> byPolicy = path -> rule(path).filter(DropCulprit.NetfilterRule::policy).isPresent();
		if (!dropped.stream().allMatch(byPolicy)) {
			throwAssertionError(shouldBeDroppedBy(actual, filter, Expectation.toBeDroppedByPolicy(), dropped, byPolicy));
		}
		return myself;
	}

	/**
	 * Every drop was by the BPF program {@code name}: a tc classifier that returned
	 * {@code TC_ACT_SHOT} (drop reason {@code TC_INGRESS}/{@code TC_EGRESS}), named by the kernel's
	 * list of programs at that hook of that device, or an XDP program
	 * ({@link PacketsAssert#wereDroppedByXdp()}) seen returning XDP_DROP or attached in generic
	 * mode where generic XDP freed the packet.
	 *
	 * @param name the program's name: its C function's, in full (from the program's BTF; the
	 *     kernel's own copy keeps 15 characters), e.g. {@code "drop_udp_9000"}
	 * @return this assertion, for chaining
	 */
	public DropsAssert byProgram(String name) {
		isNotNull();
		Predicate<PacketPath> byProgram = path -> path.culprit().filter(DropCulprit.BpfProgram.class::isInstance)
				.map(DropCulprit.BpfProgram.class::cast).filter(p -> p.name().equals(name)).isPresent();
		if (!dropped.stream().allMatch(byProgram)) {
			throwAssertionError(shouldBeDroppedBy(actual, filter, Expectation.toBeDroppedByProgram(name), dropped,
					byProgram));
		}
		return myself;
	}

	private static Optional<DropCulprit.NetfilterRule> rule(PacketPath path) {
		return path.culprit().filter(DropCulprit.NetfilterRule.class::isInstance)
				.map(DropCulprit.NetfilterRule.class::cast);
	}

	private static boolean droppedIn(PacketPath path, String function) {
		PacketEvent drop = path.drop().orElseThrow();
		return drop.locationFunction().filter(function::equals).isPresent()
				|| drop.stackFunctions().contains(function);
	}
}
