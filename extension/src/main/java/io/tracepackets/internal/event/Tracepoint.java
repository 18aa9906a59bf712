package io.tracepackets.internal.event;

import java.util.Optional;

/**
 * The tracepoints of the tracepoint backend: each has a tp_btf program of the same name in
 * tracepackets.bpf.c and an id in enum tp_probe.
 */
public enum Tracepoint {
	KFREE_SKB(1, "skb", "kfree_skb"),
	CONSUME_SKB(2, "skb", "consume_skb"),
	NETIF_RECEIVE_SKB(3, "net", "netif_receive_skb"),
	NET_DEV_QUEUE(4, "net", "net_dev_queue"),
	NET_DEV_START_XMIT(5, "net", "net_dev_start_xmit"),
	NETIF_RX(6, "net", "netif_rx"),
	SKB_COPY_DATAGRAM_IOVEC(7, "skb", "skb_copy_datagram_iovec");

	private static final Tracepoint[] BY_ID = new Tracepoint[8];

	static {
		for (Tracepoint tracepoint : values()) {
			BY_ID[tracepoint.id] = tracepoint;
		}
	}

	private final int id;
	private final String group;
	private final String eventName;

	Tracepoint(int id, String group, String eventName) {
		this.id = id;
		this.group = group;
		this.eventName = eventName;
	}

	public int id() {
		return id;
	}

	/** The tracepoint's event name, also the name assertions use: {@code "kfree_skb"}. */
	public String eventName() {
		return eventName;
	}

	/** {@code "skb:kfree_skb"}, as perf and bpftrace spell it. */
	public String qualifiedName() {
		return group + ":" + eventName;
	}

	/** The program's name in the BPF object. */
	public String programName() {
		return eventName;
	}

	public static Optional<Tracepoint> byId(int id) {
		return id > 0 && id < BY_ID.length ? Optional.ofNullable(BY_ID[id]) : Optional.empty();
	}

	public static Optional<Tracepoint> byName(String name) {
		for (Tracepoint tracepoint : values()) {
			if (tracepoint.eventName.equals(name) || tracepoint.qualifiedName().equals(name)) {
				return Optional.of(tracepoint);
			}
		}
		return Optional.empty();
	}
}
