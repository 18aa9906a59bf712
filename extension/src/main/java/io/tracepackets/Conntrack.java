package io.tracepackets;

import java.util.Objects;

/**
 * The skb's conntrack entry at one event, as the kernel held it ({@code skb->_nfct}): what
 * conntrack decided about the packet, and the entry's facts that change where it goes. Read by
 * the probes themselves, so it shows the packet at that point: a veth crossing into another
 * namespace clears the entry, and TCP clears it on delivery, so a packet's path has it only
 * between conntrack's hook and the next of those.
 *
 * @param state NEW, ESTABLISHED, RELATED, UNTRACKED as the entry says, or INVALID where conntrack
 *     refused the packet (see {@link ConntrackState#INVALID})
 * @param reply whether the packet goes in the connection's reply direction (IP_CT_IS_REPLY)
 * @param confirmed whether the entry is in conntrack's table (IPS_CONFIRMED): a connection's first
 *     packet is confirmed only when it leaves netfilter (POSTROUTING or INPUT)
 * @param sourceNat whether conntrack translates the connection's source (IPS_SRC_NAT: SNAT,
 *     masquerade). Not IPS_SRC_NAT_DONE, which every connection through a nat table gets, with or
 *     without a translation
 * @param destinationNat whether conntrack translates the connection's destination (IPS_DST_NAT:
 *     DNAT, redirect)
 * @param zone the entry's zone id ({@code -j CT --zone}); 0, the default zone, where the kernel
 *     has no zones
 * @param mark the entry's mark ({@code -j CONNMARK --set-mark}, {@code ct mark set}); 0 when unset
 */
public record Conntrack(ConntrackState state, boolean reply, boolean confirmed, boolean sourceNat,
		boolean destinationNat, int zone, int mark) {

	/** The state is required. */
	public Conntrack {
		Objects.requireNonNull(state, "state");
	}

	/**
	 * Conntrack's verdict on a packet it refused, which therefore has no entry: nothing else to say.
	 *
	 * @return the INVALID state, without any entry's facts
	 */
	public static Conntrack invalid() {
		return new Conntrack(ConntrackState.INVALID, false, false, false, false, 0, 0);
	}

	/**
	 * The entry the way the rendering and the evidence show it, only the facts that are set.
	 *
	 * @return e.g. {@code "ESTABLISHED reply confirmed dnat zone 7 mark 0x2a"}, {@code "NEW"},
	 *     {@code "INVALID"}
	 */
	@Override
	public String toString() {
		StringBuilder text = new StringBuilder(state.name());
		if (reply) {
			text.append(" reply");
		}
		if (confirmed) {
			text.append(" confirmed");
		}
		if (sourceNat) {
			text.append(" snat");
		}
		if (destinationNat) {
			text.append(" dnat");
		}
		if (zone != 0) {
			text.append(" zone ").append(zone);
		}
		if (mark != 0) {
			text.append(" mark 0x").append(Integer.toHexString(mark));
		}
		return text.toString();
	}
}
