package io.tracepackets;

/**
 * What conntrack made of a packet, as iptables' {@code -m conntrack --ctstate} and nftables'
 * {@code ct state} match it, read from the skb at each event ({@link Conntrack#state()}).
 */
public enum ConntrackState {

	/** The first packet of a connection, or one of a connection not yet confirmed (IP_CT_NEW). */
	NEW,

	/** A packet of a connection that has seen traffic both ways (IP_CT_ESTABLISHED, and its reply). */
	ESTABLISHED,

	/**
	 * A packet that belongs to another connection: an ICMP error about it, or an expected one such
	 * as FTP's data connection (IP_CT_RELATED).
	 */
	RELATED,

	/**
	 * A packet conntrack refused: a TCP segment no state allows, a malformed header. The kernel
	 * takes its entry away (nf_conntrack_in sets skb->_nfct to 0), so the trace says INVALID where
	 * that absence is a decision: at a netfilter drop in a namespace where conntrack gave an entry
	 * to an earlier packet of the trace (so its hooks run there). Elsewhere a packet without an entry has no state at all
	 * ({@link PacketEvent#conntrack()} is empty).
	 */
	INVALID,

	/** A packet a rule exempted from tracking ({@code -j NOTRACK}, {@code -j CT --notrack}): IP_CT_UNTRACKED. */
	UNTRACKED
}
