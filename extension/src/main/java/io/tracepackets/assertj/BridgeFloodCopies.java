package io.tracepackets.assertj;

import io.tracepackets.PacketEvent;
import io.tracepackets.PacketPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Copies of a packet that a bridge flooded out of the traced namespaces. A bridge that has not
 * learnt a destination's MAC address sends the frame out of every port: a clone to each but the
 * last, the skb itself to the last. The copy that goes to another container's port leaves the
 * traced namespaces right after its transmit, while its twin is delivered in scope. Without
 * function probes ({@code skb_clone}) the two share no journey, so a copy is known by what it did:
 * transmitted and never seen again, with a twin of the same tuple and flags, first seen on another
 * device, in flight at the same time, that was delivered. (Docker's bridge does this when the host's neighbour entry outlived a
 * container whose address and MAC a new one reuses: the first segment goes out before the bridge
 * has seen the new container's port.) A retransmission is never such a twin: it is sent at least
 * one retransmission timeout later, after the first copy's path has ended.
 */
final class BridgeFloodCopies {

	private static final String TRANSMIT = "net_dev_start_xmit";
	private static final List<String> RECEIVES = List.of("netif_receive_skb", "netif_rx");

	private BridgeFloodCopies() {
	}

	/**
	 * {@code condition}, or a copy that left the scope while a twin among {@code paths} met it.
	 *
	 * @param paths the paths the assertion reads, twins among them
	 * @param condition what every packet should meet, e.g. delivered
	 * @return the relaxed condition
	 */
	static Predicate<PacketPath> orCopyOfOneThat(List<PacketPath> paths, Predicate<PacketPath> condition) {
		return path -> condition.test(path) || leftTheScope(path) && paths.stream()
				.anyMatch(twin -> twin != path && condition.test(twin) && isTwin(path, twin));
	}

	/**
	 * The packets among {@code paths}: each copy that left the scope counted with its twin, once.
	 * A twin here need not have been delivered: a count asks how many packets were sent, and a
	 * flooded copy is the same packet as its twin (a clone the bridge made), whatever each did.
	 *
	 * @param paths the matching paths, in trace order
	 * @return {@code paths} without the copies whose twin is kept; a copy with no twin stays
	 */
	static List<PacketPath> countedOnce(List<PacketPath> paths) {
		List<PacketPath> kept = new ArrayList<>(paths);
		for (PacketPath path : paths) {
			if (leftTheScope(path) && kept.stream().anyMatch(twin -> twin != path && isTwin(path, twin))) {
				kept.remove(path);
			}
		}
		return List.copyOf(kept);
	}

	private static boolean isTwin(PacketPath copy, PacketPath twin) {
		return sameSegment(copy, twin) && overlap(copy, twin) && bornApart(copy, twin);
	}

	/** Not dropped, transmitted, and not received anywhere in scope after its last transmit. */
	private static boolean leftTheScope(PacketPath path) {
		if (path.wasDropped()) {
			return false;
		}
		List<PacketEvent> events = path.events();
		int transmit = -1;
		for (int i = 0; i < events.size(); i++) {
			if (TRANSMIT.equals(events.get(i).where())) {
				transmit = i;
			}
		}
		return transmit >= 0 && events.subList(transmit, events.size()).stream()
				.noneMatch(event -> RECEIVES.contains(event.where()) || event.isConsumed());
	}

	private static boolean sameSegment(PacketPath a, PacketPath b) {
		PacketEvent x = a.first();
		PacketEvent y = b.first();
		return x.ipVersion() != 0 && Objects.equals(x.source(), y.source())
				&& Objects.equals(x.destination(), y.destination()) && x.l4Protocol() == y.l4Protocol()
				&& x.sourcePort() == y.sourcePort() && x.destinationPort() == y.destinationPort()
				&& x.tcpFlags() == y.tcpFlags();
	}

	/**
	 * The bridge makes its clones inside its own transmit, so a copy and its twin are first seen on
	 * different devices (the bridge, a port); two datagrams a sender sent back to back are both first
	 * seen where it sent them, and one that went elsewhere is no copy of the other.
	 */
	private static boolean bornApart(PacketPath a, PacketPath b) {
		return a.first().ifindex() != b.first().ifindex() || a.first().netns() != b.first().netns();
	}

	private static boolean overlap(PacketPath a, PacketPath b) {
		return a.first().timestampNanos() <= b.last().timestampNanos()
				&& b.first().timestampNanos() <= a.last().timestampNanos();
	}
}
