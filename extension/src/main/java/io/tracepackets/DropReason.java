package io.tracepackets;

import java.util.Locale;
import java.util.Objects;

/**
 * A kernel drop reason ({@code enum skb_drop_reason}), by name without its
 * {@code SKB_DROP_REASON_} prefix. Names, not numbers, are compared: the numbers differ between
 * kernels, and TracePackets reads them from the running kernel's BTF. Constants cover the usual
 * ones; {@link #named(String)} makes any other, checked against the kernel when asserted.
 */
public final class DropReason {

	/** No reason given: a plain {@code kfree_skb}, and every drop on kernels before 5.17. */
	public static final DropReason NOT_SPECIFIED = named("NOT_SPECIFIED");
	/** No socket to deliver to: nothing listens on the destination port. */
	public static final DropReason NO_SOCKET = named("NO_SOCKET");
	/** A netfilter verdict: a DROP or REJECT rule of iptables or nftables. */
	public static final DropReason NETFILTER_DROP = named("NETFILTER_DROP");
	/** A socket filter refused it (a BPF filter attached to the receiving socket). */
	public static final DropReason SOCKET_FILTER = named("SOCKET_FILTER");
	/** The socket's receive buffer was full: the application reads too slowly. */
	public static final DropReason SOCKET_RCVBUFF = named("SOCKET_RCVBUFF");
	/** No handler for the packet's IP protocol number on this host. */
	public static final DropReason IP_NOPROTO = named("IP_NOPROTO");
	/** Something is wrong with the IP header (the kernel counts it as InHdrErrors). */
	public static final DropReason IP_INHDR = named("IP_INHDR");
	/** The reverse-path filter ({@code rp_filter}) refused its source address. */
	public static final DropReason IP_RPFILTER = named("IP_RPFILTER");
	/** No route to the destination when sending. */
	public static final DropReason IP_OUTNOROUTES = named("IP_OUTNOROUTES");
	/** IPv6 is disabled on the device it arrived on. */
	public static final DropReason IPV6DISABLED = named("IPV6DISABLED");
	/** Addressed to another host's link-layer address (PACKET_OTHERHOST). */
	public static final DropReason OTHERHOST = named("OTHERHOST");
	/** Shorter than its headers need. */
	public static final DropReason PKT_TOO_SMALL = named("PKT_TOO_SMALL");
	/** A TCP segment whose sequence number the connection cannot accept. */
	public static final DropReason TCP_INVALID_SEQUENCE = named("TCP_INVALID_SEQUENCE");
	/** Neighbour resolution (ARP or NDP) for the next hop failed. */
	public static final DropReason NEIGH_FAILED = named("NEIGH_FAILED");
	/** The device's queueing discipline would not take it on transmit, e.g. a full queue. */
	public static final DropReason QDISC_DROP = named("QDISC_DROP");
	/** A tc filter or action dropped it on ingress. */
	public static final DropReason TC_INGRESS = named("TC_INGRESS");
	/** A tc filter or action dropped it on egress. */
	public static final DropReason TC_EGRESS = named("TC_EGRESS");
	/** An XDP program dropped it on reception. */
	public static final DropReason XDP = named("XDP");

	private static final String PREFIX = "SKB_DROP_REASON_";

	private final String name;

	private DropReason(String name) {
		this.name = name;
	}

	/**
	 * The reason called {@code name}, with or without the {@code SKB_DROP_REASON_} prefix, in any
	 * case: {@code named("netfilter_drop")} equals {@link #NETFILTER_DROP}.
	 *
	 * @param name a name of {@code enum skb_drop_reason}, e.g. {@code "NO_SOCKET"} or
	 *     {@code "SKB_DROP_REASON_NO_SOCKET"}; blanks around it are ignored
	 * @return the reason, equal to every other of that name; whether the running kernel has it is
	 *     checked only when an assertion uses it
	 * @throws IllegalArgumentException when {@code name} is empty or has characters other than
	 *     letters, digits and underscores
	 */
	public static DropReason named(String name) {
		Objects.requireNonNull(name, "name");
		String upper = name.strip().toUpperCase(Locale.ROOT);
		if (upper.startsWith(PREFIX)) {
			upper = upper.substring(PREFIX.length());
		}
		if (upper.isEmpty() || !upper.matches("[A-Z0-9_]+")) {
			throw new IllegalArgumentException("not a drop reason name: \"" + name
					+ "\"; use a name of enum skb_drop_reason such as NETFILTER_DROP");
		}
		return new DropReason(upper);
	}

	/**
	 * The name the kernel's enum and failure messages use, without the prefix.
	 *
	 * @return upper case, e.g. {@code "NETFILTER_DROP"}, as {@link ProbeCatalog#dropReasons()} lists them
	 */
	public String name() {
		return name;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof DropReason reason && reason.name.equals(name);
	}

	@Override
	public int hashCode() {
		return name.hashCode();
	}

	@Override
	public String toString() {
		return name;
	}
}
