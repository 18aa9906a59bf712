package io.tracepackets;

import java.util.List;

/**
 * Who dropped a packet, beyond the kernel's reason: the netfilter rule or chain policy whose
 * verdict was DROP (or REJECT), or the tc or XDP BPF program that dropped it.
 * Available as {@link PacketEvent#culprit()} on a drop and {@link PacketPath#culprit()};
 * {@code wereDropped().byRule(...)} and {@code byProgram(...)} assert on it.
 */
public sealed interface DropCulprit permits DropCulprit.NetfilterRule, DropCulprit.BpfProgram {

	/**
	 * The culprit in one line, for failure messages.
	 *
	 * @return e.g. {@code "iptables-nft rule 1 of filter INPUT (handle 2): -A INPUT -p udp -m udp
	 *     --dport 9000 -j DROP"}
	 */
	String describe();

	/**
	 * A netfilter rule, or a chain's policy, that dropped the packet.
	 *
	 * @param tool how the rule is shown: {@code "iptables-nft"}, {@code "ip6tables-nft"},
	 *     {@code "nft"}, {@code "iptables-legacy"} or {@code "ip6tables-legacy"}
	 * @param family the nftables family ({@code "ip"}, {@code "ip6"}, {@code "inet"}, ...);
	 *     {@code "ip"}/{@code "ip6"} for iptables-legacy
	 * @param table the table, e.g. {@code "filter"}
	 * @param chain the chain, e.g. {@code "INPUT"}
	 * @param position the rule's position in its chain, from 1; 0 for a policy or when unknown
	 * @param handle the nftables rule handle; 0 for a policy and for iptables-legacy
	 * @param rule the rule as its tool prints it: {@code "-A INPUT -p udp -m udp --dport 9000 -j
	 *     DROP"} (iptables-save), {@code "udp dport 9000 counter drop"} (nft, counters left out);
	 *     for a policy {@code "-P INPUT DROP"} or {@code "policy drop"}; {@code "?"} when the
	 *     ruleset no longer holds it
	 * @param policy true when the chain's policy dropped it, no rule
	 * @param evidence how it was found: {@code "nftrace"} (the kernel's trace of the packet) or
	 *     {@code "rule counters"} (iptables-legacy: the DROP rule whose counter grew during the test)
	 * @param otherCandidates for rule counters: the other DROP/REJECT rules whose counters grew too,
	 *     so any of them may have dropped this packet; empty when the attribution is certain
	 */
	record NetfilterRule(String tool, String family, String table, String chain, int position, long handle,
			String rule, boolean policy, String evidence, List<String> otherCandidates) implements DropCulprit {

		/** Copies {@code otherCandidates}, so a culprit never changes. */
		public NetfilterRule {
			otherCandidates = otherCandidates == null ? List.of() : List.copyOf(otherCandidates);
		}

		/**
		 * Whether several rules may have dropped the packet (rule counters grew on more than one).
		 *
		 * @return true when {@link #otherCandidates()} is not empty
		 */
		public boolean isAmbiguous() {
			return !otherCandidates.isEmpty();
		}

		@Override
		public String describe() {
			String where = table + " " + chain;
			String head = policy ? "chain policy DROP of " + where + " (" + tool + "): " + rule
					: tool + " rule" + (position > 0 ? " " + position : "") + " of " + where
							+ (handle > 0 ? " (handle " + handle + ")" : "") + ": " + rule;
			if (!"nftrace".equals(evidence)) {
				head += " [by " + evidence + (isAmbiguous() ? "; ambiguous, also: " + String.join(" | ", otherCandidates)
						: "") + "]";
			}
			return head;
		}
	}

	/**
	 * A BPF program that dropped the packet, or that is attached where the kernel dropped it.
	 * <ul>
	 * <li>A tc classifier on a device's ingress or egress (drop reason {@code TC_INGRESS} /
	 * {@code TC_EGRESS}): the tracepoint cannot see which program returned {@code TC_ACT_SHOT}, so
	 * the program is named by its attach point, as the kernel lists it there ({@code tc filter
	 * show}): certain when only one program is attached, else the others are listed.</li>
	 * <li>An XDP program ({@link #isXdp()}). In generic mode its {@code XDP_DROP} frees an skb in
	 * {@code do_xdp_generic}, which the drop tracepoint sees: named by attach point, as the kernel's
	 * link dump lists it. In native mode no skb exists; where function probes work, a probe on the
	 * program itself (fexit, as pwru's {@code --filter-trace-xdp}) sees the verdict, and the
	 * evidence is {@value #SEEN_RETURNING_DROP}.</li>
	 * </ul>
	 *
	 * @param name the program's name in the kernel, e.g. {@code "drop_udp_9000"}
	 * @param id the program's id (as {@code bpftool prog show} prints it)
	 * @param device the device it is attached to, e.g. {@code "eth0"}
	 * @param hook where on the device: {@code "tc ingress"}, {@code "tc egress"}, {@code "xdp"}
	 *     (native XDP), {@code "xdp generic"} or {@code "xdp offload"}
	 * @param otherPrograms the other programs attached at the same hook, as {@code name (id N)}
	 * @param evidence how it was found: {@value #BY_ATTACH_POINT} (the program attached where the
	 *     kernel dropped the packet) or {@value #SEEN_RETURNING_DROP} (a probe on the program saw it
	 *     return the drop verdict for this packet)
	 */
	record BpfProgram(String name, int id, String device, String hook, List<String> otherPrograms, String evidence)
			implements DropCulprit {

		/** The evidence of a program named by where it is attached. */
		public static final String BY_ATTACH_POINT = "attach point";
		/** The evidence of a program seen returning the drop verdict (fexit on the program). */
		public static final String SEEN_RETURNING_DROP = "fexit: returned XDP_DROP";

		/** Copies {@code otherPrograms}, so a culprit never changes; a null evidence is by attach point. */
		public BpfProgram {
			otherPrograms = otherPrograms == null ? List.of() : List.copyOf(otherPrograms);
			evidence = evidence == null ? BY_ATTACH_POINT : evidence;
		}

		/**
		 * A program named by its attach point.
		 *
		 * @param name see the record
		 * @param id see the record
		 * @param device see the record
		 * @param hook see the record
		 * @param otherPrograms see the record
		 */
		public BpfProgram(String name, int id, String device, String hook, List<String> otherPrograms) {
			this(name, id, device, hook, otherPrograms, BY_ATTACH_POINT);
		}

		/**
		 * Whether the program is an XDP program (any mode).
		 *
		 * @return true when {@link #hook()} is an XDP hook
		 */
		public boolean isXdp() {
			return hook.startsWith("xdp");
		}

		@Override
		public String describe() {
			return "BPF program " + name + " (id " + id + ") on " + device + " " + hook + " [by " + evidence
					+ (otherPrograms.isEmpty() ? "" : "; also attached there: " + String.join(", ", otherPrograms))
					+ "]";
		}
	}
}
