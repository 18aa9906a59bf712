package io.tracepackets;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One packet's path through the kernel: the events of one skb, in order, from the first probe that
 * saw it to its free ({@code kfree_skb}: dropped, {@code consume_skb}: consumed) or the end of the
 * trace. An skb address reused after a free starts a new path.
 */
public record PacketPath(long skb, List<PacketEvent> events) {

	/** The hook where a socket accepts an skb (cgroup_skb ingress, where the kernel allows it). */
	public static final String SOCKET_RECEIVE = "socket_receive";

	public PacketPath {
		events = List.copyOf(events);
		if (events.isEmpty()) {
			throw new IllegalArgumentException("a path has at least one event");
		}
	}

	/**
	 * Groups events, in trace order, into paths, ordered by each path's first event. A path ends
	 * at its skb's free. An skb can also end unseen — freed outside the traced namespaces, or read
	 * by a UDP socket, which frees it without a tracepoint — and its address be reused at once, so
	 * a path also ends when the same address shows another packet's tuple or ethertype, or enters
	 * a device again where this packet already entered it (a packet passes each device's
	 * queue and receive points once).
	 */
	public static List<PacketPath> group(List<PacketEvent> events) {
		List<List<PacketEvent>> paths = new ArrayList<>();
		Map<Long, List<PacketEvent>> open = new HashMap<>();
		for (PacketEvent event : events) {
			List<PacketEvent> path = open.get(event.skb());
			if (path != null && (!sameTuple(lastWithTuple(path), event) || !sameEtherType(path.getLast(), event)
					|| entersAgain(path, event))) {
				path = null;
			}
			if (path == null) {
				path = new ArrayList<>();
				paths.add(path);
				open.put(event.skb(), path);
			}
			path.add(event);
			if (event.isDrop() || event.isConsumed()) {
				open.remove(event.skb());
			}
		}
		return paths.stream().filter(PacketPath::travelled).map(p -> new PacketPath(p.getFirst().skb(), p)).toList();
	}

	/** Where a packet enters a device's transmit or receive path: once per device per packet. */
	private static final java.util.Set<String> ENTRIES = java.util.Set.of("net_dev_queue", "netif_rx",
			"netif_receive_skb");

	private static boolean entersAgain(List<PacketEvent> path, PacketEvent event) {
		if (event.kind() != ProbeKind.TRACEPOINT || !ENTRIES.contains(event.where())) {
			return false;
		}
		for (PacketEvent seen : path) {
			if (seen.kind() == ProbeKind.TRACEPOINT && seen.where().equals(event.where())
					&& seen.netns() == event.netns() && seen.ifindex() == event.ifindex()) {
				return true;
			}
		}
		return false;
	}

	/** Tracepoints that only a packet on its way through a device or the receive stack hits. */
	private static final java.util.Set<String> TRAVEL = java.util.Set.of("net_dev_queue", "net_dev_start_xmit",
			"netif_rx", "netif_receive_skb", "skb_copy_datagram_iovec", SOCKET_RECEIVE);


	/**
	 * A packet was dropped, or went through a device or the receive stack. Anything else is a copy
	 * the kernel made and freed without sending it anywhere — e.g. neigh_probe's clone of a packet
	 * waiting for ARP, handed to arp_solicit and consumed — and is not a packet of its own.
	 */
	private static boolean travelled(List<PacketEvent> path) {
		return path.stream().anyMatch(e -> e.isDrop() || e.kind() != ProbeKind.FUNCTION && TRAVEL.contains(e.where()));
	}

	private static PacketEvent lastWithTuple(List<PacketEvent> path) {
		for (int i = path.size() - 1; i >= 0; i--) {
			if (path.get(i).ipVersion() != 0) {
				return path.get(i);
			}
		}
		return null;
	}

	/** An ARP reply and the IP packet that later reuses its address are different packets. */
	private static boolean sameEtherType(PacketEvent previous, PacketEvent next) {
		return previous.etherType() == 0 || next.etherType() == 0 || previous.etherType() == next.etherType();
	}

	/** Same packet as far as the tuples tell; events without an IP tuple match anything. */
	private static boolean sameTuple(PacketEvent previous, PacketEvent next) {
		if (previous == null || next.ipVersion() == 0) {
			return true;
		}
		return previous.ipVersion() == next.ipVersion() && previous.l4Protocol() == next.l4Protocol()
				&& java.util.Objects.equals(previous.source(), next.source())
				&& java.util.Objects.equals(previous.destination(), next.destination())
				&& previous.sourcePort() == next.sourcePort() && previous.destinationPort() == next.destinationPort();
	}

	/** The drop event, when this packet was dropped. */
	public Optional<PacketEvent> drop() {
		return events.stream().filter(PacketEvent::isDrop).findFirst();
	}

	public boolean wasDropped() {
		return drop().isPresent();
	}

	/**
	 * Never dropped, and received: taken in by a namespace's stack ({@code netif_receive_skb}),
	 * read by a socket ({@code skb_copy_datagram_iovec}) or freed normally ({@code consume_skb}).
	 * A UDP datagram read by an application leaves no tracepoint behind (the kernel copies it
	 * without one), so reception plus the absence of a drop is what "delivered" can mean.
	 */
	public boolean wasDelivered() {
		return !wasDropped() && events.stream().anyMatch(e -> e.isConsumed()
				|| "skb_copy_datagram_iovec".equals(e.where()) || "netif_receive_skb".equals(e.where())
				|| SOCKET_RECEIVE.equals(e.where()));
	}

	/** Never dropped, and accepted by a socket (the {@code socket_receive} hook saw it). */
	public boolean reachedSocket() {
		return !wasDropped() && reached(SOCKET_RECEIVE);
	}

	/** Whether a probe named {@code where} (tracepoint or function) saw this packet. */
	public boolean reached(String where) {
		return events.stream().anyMatch(e -> e.where().equals(where));
	}

	/** Whether the packet passed through every one of {@code names}, in this order (gaps allowed). */
	public boolean passedThrough(List<String> names) {
		int next = 0;
		for (PacketEvent event : events) {
			if (next < names.size() && event.where().equals(names.get(next))) {
				next++;
			}
		}
		return next == names.size();
	}

	public PacketEvent first() {
		return events.getFirst();
	}

	public PacketEvent last() {
		return events.getLast();
	}
}
