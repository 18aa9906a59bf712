package io.tracepackets;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One packet's journey through the kernel, followed across what changes on the way: its tuple
 * under NAT, its namespace and device at a veth or a container's interface. The kernel gives the
 * skb an id the first time a probe sees it in scope and keeps it while the skb lives, so every
 * event carries it ({@link PacketEvent#journey()}); a journey is the paths ({@link PacketPath},
 * one per skb) that share one.
 *
 * <p>What ends one: the skb's free ({@code kfree_skb}, {@code consume_skb}). Where the kernel
 * hands the packet on in another skb (a clone for a packet socket or a second multicast receiver,
 * a copy), the function backends give the new skb the same journey, with an event named after
 * the copying function ({@code skb_clone}) where it split off; the tracepoint backend cannot see
 * the copy being made, so there the copy starts a journey of its own. A packet that
 * Docker's userland proxy receives ends its journey at the proxy's socket: the proxy sends the
 * data again in a connection of its own, which is another journey.
 *
 * @param id the kernel's id (a 64-bit mix of the skb's address and data buffer; a copy carries its
 *     parent's; either sign), a small negative number made up by the reader (-1, -2, …) when it
 *     told apart two packets the kernel gave one id (an skb address and buffer reused at once), 0
 *     for events without one
 * @param paths the paths of its skbs, ordered by their first event; at least one
 */
public record Journey(long id, List<PacketPath> paths) {

	/** Copies {@code paths}; an empty list is refused. */
	public Journey {
		paths = List.copyOf(paths);
		if (paths.isEmpty()) {
			throw new IllegalArgumentException("a journey has at least one path");
		}
	}

	/**
	 * Groups paths into journeys: paths with the same journey id together, each path without one
	 * on its own.
	 *
	 * @param paths paths in trace order, e.g. {@link PacketTrace#paths()}
	 * @return the journeys, ordered by their first path
	 */
	public static List<Journey> group(List<PacketPath> paths) {
		Map<Object, List<PacketPath>> byId = new LinkedHashMap<>();
		for (PacketPath path : paths) {
			Object key = path.journey() == 0 ? new Object() : path.journey();
			byId.computeIfAbsent(key, k -> new ArrayList<>()).add(path);
		}
		List<Journey> journeys = new ArrayList<>(byId.size());
		byId.values().forEach(group -> journeys.add(new Journey(group.getFirst().journey(), group)));
		return List.copyOf(journeys);
	}

	/**
	 * Every event of every skb of the journey, in time order.
	 *
	 * @return the events, ordered by {@link PacketEvent#timestampNanos()}
	 */
	public List<PacketEvent> events() {
		return paths.stream().flatMap(path -> path.events().stream())
				.sorted(Comparator.comparingLong(PacketEvent::timestampNanos)).toList();
	}

	/**
	 * Where the packet's tuple changed, on any of its skbs.
	 *
	 * @return the changes in path order, e.g. {@code 10.10.20.99:7600 → 10.231.0.2:7600 at
	 *     nf_nat_ipv4_out}; empty when nothing rewrote it
	 */
	public List<Translation> translations() {
		return paths.stream().flatMap(path -> path.translations().stream()).toList();
	}

	/**
	 * How long the packet took from one point of its journey to another, on any of its skbs and
	 * across the namespaces it crossed: from its earliest event named {@code from} to the first
	 * event named {@code to} after it in time (see {@link PacketPath#took(String, String)}).
	 *
	 * @param from an event name, compared exactly: {@code "net_dev_queue"}
	 * @param to an event name, looked for after {@code from}'s event in time
	 * @return the time between the two events; empty when the journey has no {@code from}, or no
	 *     {@code to} after it
	 */
	public Optional<Duration> took(String from, String to) {
		return PacketPath.between(events(), from, to);
	}

	/**
	 * Where the trace first saw the packet.
	 *
	 * @return the earliest event
	 */
	public PacketEvent first() {
		return events().getFirst();
	}

	/**
	 * Where the trace last saw the packet.
	 *
	 * @return the latest event
	 */
	public PacketEvent last() {
		return events().getLast();
	}

	/**
	 * Whether a probe named {@code where} saw the packet on any of its skbs.
	 *
	 * @param where an event name: {@code "veth_xmit"}, {@code "netif_receive_skb"}
	 * @return true when an event has that name
	 */
	public boolean reached(String where) {
		return paths.stream().anyMatch(path -> path.reached(where));
	}

	/**
	 * The journey's loss, if any of its skbs was lost.
	 *
	 * @return the first path that was dropped (lost); empty when none was
	 */
	public Optional<PacketPath> droppedPath() {
		return paths.stream().filter(PacketPath::wasDropped).findFirst();
	}

	/**
	 * Whether some skb of the journey was delivered ({@link PacketPath#wasDelivered()}).
	 *
	 * @return true when one of its paths was delivered
	 */
	public boolean wasDelivered() {
		return paths.stream().anyMatch(PacketPath::wasDelivered);
	}
}
