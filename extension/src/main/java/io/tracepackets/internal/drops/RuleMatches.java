package io.tracepackets.internal.drops;

import io.tracepackets.DropCulprit;
import io.tracepackets.PacketEvent;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.util.Optional;

/**
 * What netfilter hands the drop attribution: the rule or chain policy that dropped a packet, as
 * netfilter's own records tell it (the kernel's nftables trace, iptables-legacy counters), and why
 * none could be named. {@link DropAttribution} asks it only about the drops its table gives to
 * netfilter.
 */
public interface RuleMatches extends AutoCloseable {

	/** Starts looking at the rules of {@code netns}; a failure is remembered for {@link #whyNoRule}, never thrown. */
	void add(NetworkNamespace netns);

	/**
	 * A lookup for one batch of drops, which reads what it must of the kernel (rule counters) at
	 * most once per namespace and family.
	 */
	Lookup lookup();

	/**
	 * Why no rule was named for a netfilter drop: tracing off, a namespace outside those added, a
	 * trace that could not be set up or overflowed, or no rule's trace or counter.
	 *
	 * @return one sentence, for failure messages
	 */
	String whyNoRule(PacketEvent drop);

	/** Stops looking, and removes whatever looking added to the namespaces' rulesets. */
	@Override
	void close();

	/** The rule lookup of one batch. */
	@FunctionalInterface
	interface Lookup {

		/** The rule or policy that dropped {@code drop}, a netfilter drop; empty when none is known. */
		Optional<DropCulprit.NetfilterRule> ruleThatDropped(PacketEvent drop);
	}
}
