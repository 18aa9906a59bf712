package io.tracepackets.assertj.error;

import io.tracepackets.DropReason;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an assertion expected of the matching packets, as its failure message says it (the line
 * under "Expecting packets matching:"). Every expectation text of the assertions is here, so the
 * assertions name what they expect and the error factories ({@link PacketsShould},
 * {@link DropsShould}) word it.
 *
 * @param text the words, e.g. {@code "to reach ip_local_deliver"}
 */
public record Expectation(String text) {

	/** Checks the text is there. */
	public Expectation {
		Objects.requireNonNull(text, "text");
	}

	/**
	 * {@code areNone()}.
	 *
	 * @return "to see no packet"
	 */
	public static Expectation toSeeNoPacket() {
		return new Expectation("to see no packet");
	}

	/**
	 * {@code wereDropped()}.
	 *
	 * @return "to be dropped (lost)"
	 */
	public static Expectation toBeDropped() {
		return new Expectation("to be dropped (lost)");
	}

	/**
	 * {@code wereDroppedByXdp()}.
	 *
	 * @return "to be dropped by an XDP program (XDP_DROP)"
	 */
	public static Expectation toBeDroppedByXdp() {
		return new Expectation("to be dropped by an XDP program (XDP_DROP)");
	}

	/**
	 * {@code wereNotDropped()}.
	 *
	 * @return "not to be dropped (lost)"
	 */
	public static Expectation notToBeDropped() {
		return new Expectation("not to be dropped (lost)");
	}

	/**
	 * {@code wereDiscardedAfterDelivery()}.
	 *
	 * @return "to be discarded after delivery"
	 */
	public static Expectation toBeDiscardedAfterDelivery() {
		return new Expectation("to be discarded after delivery");
	}

	/**
	 * {@code wereNeverFreedWithAReason()}.
	 *
	 * @return "never to be freed with a reason (kfree_skb)"
	 */
	public static Expectation neverToBeFreedWithAReason() {
		return new Expectation("never to be freed with a reason (kfree_skb)");
	}

	/**
	 * {@code wereDelivered()}.
	 *
	 * @param toSocket whether delivery is seen at a socket (the {@code socket_receive} hook), or
	 *     only as received by a stack or read by a socket
	 * @return "to be delivered to a socket (socket_receive, not lost)" or "to be delivered
	 *     (received by the stack or a socket, not lost)"
	 */
	public static Expectation toBeDelivered(boolean toSocket) {
		return new Expectation(toSocket ? "to be delivered to a socket (socket_receive, not lost)"
				: "to be delivered (received by the stack or a socket, not lost)");
	}

	/**
	 * {@code reached(where)}.
	 *
	 * @param where an event name
	 * @return "to reach {@code where}"
	 */
	public static Expectation toReach(String where) {
		return new Expectation("to reach " + where);
	}

	/**
	 * {@code returned(function, value)}.
	 *
	 * @param function a function whose return is recorded
	 * @param value the value as the kernel's headers write it, e.g. {@code "-EHOSTUNREACH"}
	 * @return "to return -EHOSTUNREACH from ip_route_input_noref"
	 */
	public static Expectation toReturn(String function, String value) {
		return new Expectation("to return " + value + " from " + function);
	}

	/**
	 * {@code returnedError(function)}.
	 *
	 * @param function a function whose return is recorded
	 * @return "to return an error from ip_route_input_noref"
	 */
	public static Expectation toReturnAnError(String function) {
		return new Expectation("to return an error from " + function);
	}

	/**
	 * {@code neverReached(where)}.
	 *
	 * @param where an event name
	 * @return "never to reach {@code where}"
	 */
	public static Expectation neverToReach(String where) {
		return new Expectation("never to reach " + where);
	}

	/**
	 * {@code passedThrough(names)}.
	 *
	 * @param order the event names in order
	 * @return "to pass through a → b → c in order"
	 */
	public static Expectation toPassThrough(List<String> order) {
		return new Expectation("to pass through " + String.join(" → ", order) + " in order");
	}

	/**
	 * {@code took(from, to)}: the packets must pass both points to be timed.
	 *
	 * @param from the event name the time counts from
	 * @param to the event name it counts to
	 * @return "to pass through {@code from} → {@code to} in order, to be timed"
	 */
	public static Expectation toBeTimed(String from, String to) {
		return new Expectation("to pass through " + from + " → " + to + " in order, to be timed");
	}

	/**
	 * {@code took(from, to).atMost(limit)}.
	 *
	 * @param from the event name the time counts from
	 * @param to the event name it counts to
	 * @param limit the longest time allowed
	 * @return "to take at most 5.000ms from {@code from} to {@code to}"
	 */
	public static Expectation toTakeAtMost(String from, String to, java.time.Duration limit) {
		return new Expectation("to take at most " + PwruFormat.millis(limit.toNanos()) + " from " + from + " to " + to);
	}

	/**
	 * {@code took(from, to).atLeast(limit)}.
	 *
	 * @param from the event name the time counts from
	 * @param to the event name it counts to
	 * @param limit the shortest time allowed
	 * @return "to take at least 20.000ms from {@code from} to {@code to}"
	 */
	public static Expectation toTakeAtLeast(String from, String to, java.time.Duration limit) {
		return new Expectation("to take at least " + PwruFormat.millis(limit.toNanos()) + " from " + from + " to "
				+ to);
	}

	/**
	 * {@code wereDropped().in(function)}.
	 *
	 * @param function a kernel function's name
	 * @return "to be dropped in {@code function} (the drop location or a caller in its stack)"
	 */
	public static Expectation toBeDroppedIn(String function) {
		return new Expectation("to be dropped in " + function + " (the drop location or a caller in its stack)");
	}

	/**
	 * {@code wereDropped().withReason(reason)}.
	 *
	 * @param reason the drop reason
	 * @return "to be dropped with reason {@code reason}"
	 */
	public static Expectation toBeDroppedWithReason(DropReason reason) {
		return new Expectation("to be dropped with reason " + reason);
	}

	/**
	 * {@code wereDropped().byRule(rule)}.
	 *
	 * @param rule the rule as the test wrote it
	 * @return "to be dropped by the rule:", then the rule on its own indented line
	 */
	public static Expectation toBeDroppedByRule(String rule) {
		return new Expectation("to be dropped by the rule:" + System.lineSeparator() + "  " + rule);
	}

	/**
	 * {@code wereDropped().byRule(rule)}, with the rule as the dropping rules' tools wrote it back,
	 * so a failure shows the two texts that were compared.
	 *
	 * @param rule the rule as the test wrote it
	 * @param asWritten per tool, e.g. {@code "iptables-nft"}, the lines it reads {@code rule} as;
	 *     empty shows the rule alone
	 * @return "to be dropped by the rule:", the rule on its own indented line, then one line per
	 *     tool: "which iptables-nft writes as: -A INPUT ..."
	 */
	public static Expectation toBeDroppedByRule(String rule, Map<String, List<String>> asWritten) {
		StringBuilder text = new StringBuilder(toBeDroppedByRule(rule).text());
		asWritten.forEach((tool, lines) -> text.append(System.lineSeparator()).append("  which ").append(tool)
				.append(" writes as: ").append(String.join(" | ", lines)));
		return new Expectation(text.toString());
	}

	/**
	 * {@code wereDropped().inChain(table, chain)}.
	 *
	 * @param table the table
	 * @param chain the chain
	 * @return "to be dropped in the chain {@code table chain}"
	 */
	public static Expectation toBeDroppedInChain(String table, String chain) {
		return new Expectation("to be dropped in the chain " + table + " " + chain);
	}

	/**
	 * {@code wereDropped().byPolicy()}.
	 *
	 * @return "to be dropped by a chain policy"
	 */
	public static Expectation toBeDroppedByPolicy() {
		return new Expectation("to be dropped by a chain policy");
	}

	/**
	 * {@code wereDropped().byProgram(name)}.
	 *
	 * @param name the program's name
	 * @return "to be dropped by the BPF program {@code name}"
	 */
	public static Expectation toBeDroppedByProgram(String name) {
		return new Expectation("to be dropped by the BPF program " + name);
	}

	@Override
	public String toString() {
		return text;
	}
}
