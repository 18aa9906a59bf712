package io.tracepackets;

/**
 * What a kernel drop meant for the packet's data. The kernel frees an skb "with a reason"
 * ({@code kfree_skb}) in three quite different situations, and a network test almost always
 * means only the first when it says "dropped".
 */
public enum DropKind {

	/**
	 * Freed before it reached its destination: netfilter, routing, reverse-path filter, no socket,
	 * neighbour failure, qdisc, tc/XDP, checksum, TTL… The data is gone.
	 */
	LOST("lost"),

	/**
	 * It reached a socket and was thrown away by the receiver's own lifecycle: the receive queue
	 * purged when the socket closed unread, a socket shut down. Nothing was lost on the network.
	 */
	DISCARDED_AFTER_DELIVERY("after delivery"),

	/**
	 * The kernel freed this buffer, but its data lives on: merged or coalesced into another skb,
	 * or a duplicate of data the socket already has.
	 */
	NOT_A_LOSS("not a loss");

	private final String label;

	DropKind(String label) {
		this.label = label;
	}

	/**
	 * Short words for rendering: {@code lost}, {@code after delivery}, {@code not a loss}.
	 *
	 * @return the lower-case words that rendered paths put after a drop, e.g. {@code (lost)}
	 */
	public String label() {
		return label;
	}
}
