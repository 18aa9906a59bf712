package io.tracepackets.internal.window;

import io.tracepackets.PacketEvent;
import io.tracepackets.PacketPath;
import io.tracepackets.ProbeKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Groups events into packet paths as they arrive: each event is looked at once, and a snapshot
 * of the paths ({@link #paths()}) rebuilds only the paths that changed since the last one.
 *
 * <p>A path is the events of one skb address, from the first to its free. An skb can also end
 * unseen — freed outside the traced namespaces, or read by a UDP socket, which frees it without
 * a tracepoint — and its address be reused at once, so a path also ends when the same address
 * shows another packet's tuple or ethertype, or enters a device again where this packet already
 * entered it (a packet passes each device's queue and receive points once). Not thread-safe.
 */
public final class PathAssembler {

	/** Where a packet enters a device's transmit or receive path: once per device per packet. */
	private static final Set<String> ENTRIES = Set.of("net_dev_queue", "netif_rx", "netif_receive_skb");

	/** Tracepoints that only a packet on its way through a device or the receive stack hits. */
	private static final Set<String> TRAVEL = Set.of("net_dev_queue", "net_dev_start_xmit", "netif_rx",
			"netif_receive_skb", "skb_copy_datagram_iovec", PacketEvent.SOCKET_RECEIVE);

	/** Every path so far, in the order of their first events. */
	private final List<Builder> all = new ArrayList<>();
	/** The path each live skb address continues, until its free. */
	private final Map<Long, Builder> open = new HashMap<>();
	private List<PacketPath> snapshot = List.of();
	private boolean changed;

	/** Adds one event, in trace order. */
	public void add(PacketEvent event) {
		Builder path = open.get(event.skb());
		if (path != null && !path.continuesWith(event)) {
			path = null;
		}
		if (path == null) {
			path = new Builder();
			all.add(path);
			open.put(event.skb(), path);
		}
		path.add(event);
		if (event.isDrop() || event.isConsumed()) {
			open.remove(event.skb());
		}
		changed = true;
	}

	/**
	 * The paths of packets so far: those that were dropped, or went through a device or the
	 * receive stack. Anything else is a copy the kernel made and freed without sending it
	 * anywhere — e.g. neigh_probe's clone of a packet waiting for ARP, handed to arp_solicit and
	 * consumed — and is not a packet of its own.
	 */
	public List<PacketPath> paths() {
		if (changed) {
			List<PacketPath> paths = new ArrayList<>(all.size());
			for (Builder builder : all) {
				if (builder.travelled) {
					paths.add(builder.path());
				}
			}
			snapshot = List.copyOf(paths);
			changed = false;
		}
		return snapshot;
	}

	/** Groups a finished list of events, as a trace holding exactly them would. */
	public static List<PacketPath> group(List<PacketEvent> events) {
		PathAssembler assembler = new PathAssembler();
		events.forEach(assembler::add);
		return assembler.paths();
	}

	private static final class Builder {

		private final List<PacketEvent> events = new ArrayList<>();
		/** The last event with an IP tuple, the tuple the next one must have. */
		private PacketEvent lastWithTuple;
		private boolean travelled;
		/** The immutable path as of the last snapshot; null when events came since. */
		private PacketPath path;

		void add(PacketEvent event) {
			events.add(event);
			if (event.ipVersion() != 0) {
				lastWithTuple = event;
			}
			travelled |= event.isDrop() || event.kind() != ProbeKind.FUNCTION && TRAVEL.contains(event.where());
			path = null;
		}

		PacketPath path() {
			if (path == null) {
				path = new PacketPath(events.getFirst().skb(), events);
			}
			return path;
		}

		boolean continuesWith(PacketEvent event) {
			return sameTuple(lastWithTuple, event) && sameEtherType(events.getLast(), event) && !entersAgain(event);
		}

		private boolean entersAgain(PacketEvent event) {
			if (event.kind() != ProbeKind.TRACEPOINT || !ENTRIES.contains(event.where())) {
				return false;
			}
			for (PacketEvent seen : events) {
				if (seen.kind() == ProbeKind.TRACEPOINT && seen.where().equals(event.where())
						&& seen.netns() == event.netns() && seen.ifindex() == event.ifindex()) {
					return true;
				}
			}
			return false;
		}
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
				&& Objects.equals(previous.source(), next.source())
				&& Objects.equals(previous.destination(), next.destination())
				&& previous.sourcePort() == next.sourcePort() && previous.destinationPort() == next.destinationPort()
				&& previous.icmpType() == next.icmpType() && previous.icmpCode() == next.icmpCode();
	}
}
