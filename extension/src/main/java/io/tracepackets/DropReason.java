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

	public static final DropReason NOT_SPECIFIED = named("NOT_SPECIFIED");
	public static final DropReason NO_SOCKET = named("NO_SOCKET");
	public static final DropReason NETFILTER_DROP = named("NETFILTER_DROP");
	public static final DropReason SOCKET_FILTER = named("SOCKET_FILTER");
	public static final DropReason SOCKET_RCVBUFF = named("SOCKET_RCVBUFF");
	public static final DropReason IP_NOPROTO = named("IP_NOPROTO");
	public static final DropReason IP_INHDR = named("IP_INHDR");
	public static final DropReason IP_RPFILTER = named("IP_RPFILTER");
	public static final DropReason IP_OUTNOROUTES = named("IP_OUTNOROUTES");
	public static final DropReason IPV6DISABLED = named("IPV6DISABLED");
	public static final DropReason OTHERHOST = named("OTHERHOST");
	public static final DropReason PKT_TOO_SMALL = named("PKT_TOO_SMALL");
	public static final DropReason TCP_INVALID_SEQUENCE = named("TCP_INVALID_SEQUENCE");
	public static final DropReason NEIGH_FAILED = named("NEIGH_FAILED");
	public static final DropReason QDISC_DROP = named("QDISC_DROP");
	public static final DropReason TC_INGRESS = named("TC_INGRESS");
	public static final DropReason TC_EGRESS = named("TC_EGRESS");
	public static final DropReason XDP = named("XDP");

	private static final String PREFIX = "SKB_DROP_REASON_";

	private final String name;

	private DropReason(String name) {
		this.name = name;
	}

	/**
	 * The reason called {@code name}, with or without the {@code SKB_DROP_REASON_} prefix, in any
	 * case: {@code named("netfilter_drop")} equals {@link #NETFILTER_DROP}.
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
