package io.tracepackets;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One packet's path through the kernel: the events of one skb, in order, from the first probe that
 * saw it to its free ({@code kfree_skb}: dropped, {@code consume_skb}: consumed) or the end of the
 * trace. A trace groups events into paths as they arrive ({@link PacketTrace#paths()}); an skb
 * address reused after a free starts a new path.
 *
 * @param skb the sk_buff's address, the same in every event; after a free the kernel may reuse it
 *     for another packet, which then has a path of its own
 * @param events the events in the order they arrived, at least one; a free, when there is one, is
 *     the last
 * @param journey the journey this path belongs to ({@link Journey#id()}): the kernel's id, or a
 *     negative one when the reader had to tell two packets apart that the kernel gave one id; 0
 *     when the kernel gave none
 */
public record PacketPath(long skb, List<PacketEvent> events, long journey) {

	/**
	 * Copies {@code events}, so a path never changes (a trace's own lists, immutable and decoded
	 * as they are read, are kept as they are); an empty list is refused.
	 */
	public PacketPath {
		events = events instanceof RecordedEvents ? events : List.copyOf(events);
		if (events.isEmpty()) {
			throw new IllegalArgumentException("a path has at least one event");
		}
	}

	/**
	 * A path in the journey its first event names.
	 *
	 * @param skb see the record
	 * @param events see the record
	 */
	public PacketPath(long skb, List<PacketEvent> events) {
		this(skb, events, events.isEmpty() ? 0 : events.getFirst().journey());
	}

	/**
	 * Where the packet's tuple changed on this path: netfilter's NAT, seen as an event with a new
	 * tuple, or, where the probes saw only the result, from conntrack's record of the tuple before.
	 *
	 * @return the changes in path order; empty for a packet that kept its tuple
	 */
	public List<Translation> translations() {
		List<Translation> changes = new ArrayList<>();
		PacketEvent previous = null;
		for (PacketEvent event : events) {
			// No IP header yet, or a TCP/UDP header not written yet (both ports 0: a function
			// backend sees udp_send_skb before it fills the header in): nothing to compare.
			if (event.ipVersion() == 0 || (event.l4Protocol() == PacketEvent.TCP || event.l4Protocol() == PacketEvent.UDP)
					&& event.sourcePort() == 0 && event.destinationPort() == 0) {
				continue;
			}
			// A function's return shows the packet as the function was entered: NAT inside
			// nf_hook_slow already rewrote it.
			if (event.kind() == ProbeKind.FUNCTION_RETURN) {
				continue;
			}
			if (previous == null && event.wasTranslated()) {
				PacketEvent before = event.beforeTranslation().orElseThrow();
				if (!sameTuple(before, event)) {
					changes.add(new Translation(before, event));
				}
			} else if (previous != null && !sameTuple(previous, event)) {
				changes.add(new Translation(previous, event));
			}
			previous = event;
		}
		return List.copyOf(changes);
	}

	private static boolean sameTuple(PacketEvent a, PacketEvent b) {
		return Objects.equals(a.source(), b.source()) && Objects.equals(a.destination(), b.destination())
				&& a.sourcePort() == b.sourcePort() && a.destinationPort() == b.destinationPort();
	}

	/**
	 * The kernel's free with a reason ({@code kfree_skb}), whatever it meant: see
	 * {@link #dropKind()}.
	 *
	 * @return the path's {@code kfree_skb} event; empty when the kernel has not freed it with a
	 *     reason (yet)
	 */
	public Optional<PacketEvent> drop() {
		return events.stream().filter(PacketEvent::isDrop).findFirst();
	}

	/**
	 * The drop in words: the likely cause and what to check, with this packet's values.
	 *
	 * @return e.g. {@code "nothing listens on 10.0.0.2 udp/53 (or the socket is in another network
	 *     namespace)"}; empty when it was never freed with a reason
	 */
	public Optional<String> diagnosis() {
		return drop().map(PacketEvent::dropDiagnosis);
	}

	/**
	 * Who dropped it: the netfilter rule or chain policy, when the drop was netfilter's and the
	 * rule could be named (see {@link DropCulprit}).
	 *
	 * @return the drop's culprit; empty without a drop, or when no rule could be named
	 */
	public Optional<DropCulprit> culprit() {
		return drop().flatMap(PacketEvent::culprit);
	}

	/**
	 * Why no netfilter rule, policy or BPF program was named for this packet's drop
	 * ({@link #culprit()} empty), as far as the trace could tell when it took the drop in: rule
	 * tracing was off ({@value TracePackets#NETFILTER_RULES_PROPERTY}{@code =false}), the drop
	 * happened outside the scoped namespaces, the namespace's nftables trace could not be set up
	 * (its error) or overflowed, no trace or iptables-legacy counter showed a rule (so a hook that
	 * is not a rule dropped it: conntrack, NAT, defragmentation), the drop was not netfilter's at
	 * all, or no program was attached where a tc or XDP drop happened.
	 *
	 * @return one sentence; empty when the path has a culprit or no drop
	 */
	public Optional<String> whyNoCulprit() {
		return drop().filter(drop -> drop.culprit().isEmpty()).flatMap(PacketEvent::whyNoCulprit);
	}

	/**
	 * What the kernel's drop meant for this packet; empty when it was never freed with a reason.
	 *
	 * @return lost, discarded after delivery, or not a loss; empty without a drop
	 */
	public Optional<DropKind> dropKind() {
		return drop().map(PacketEvent::dropKind);
	}

	/**
	 * Lost: freed with a reason before it reached its destination ({@link DropKind#LOST}). A
	 * packet the receiver discarded after delivery, or a buffer whose data lives on, was not.
	 *
	 * @return true only for a drop of kind {@link DropKind#LOST}
	 */
	public boolean wasDropped() {
		return dropKind().filter(DropKind.LOST::equals).isPresent();
	}

	/**
	 * It reached its socket and was discarded there, unread ({@link DropKind#DISCARDED_AFTER_DELIVERY}).
	 *
	 * @return true only for a drop of that kind
	 */
	public boolean wasDiscardedAfterDelivery() {
		return dropKind().filter(DropKind.DISCARDED_AFTER_DELIVERY::equals).isPresent();
	}

	/**
	 * The kernel's raw view: freed by {@code kfree_skb} with any reason, whatever it meant.
	 *
	 * @return true for a drop of any {@link DropKind}, as pwru would count it
	 */
	public boolean wasFreedWithAReason() {
		return drop().isPresent();
	}

	/**
	 * Not lost, and received: taken in by a namespace's stack ({@code netif_receive_skb}), read by
	 * a socket ({@code skb_copy_datagram_iovec}), freed normally ({@code consume_skb}), or
	 * discarded by its receiver after delivery. A UDP datagram read by an application leaves no
	 * tracepoint behind (the kernel copies it without one), so reception plus the absence of a
	 * loss is what "delivered" can mean without the {@code socket_receive} hook.
	 *
	 * @return true when not lost and one of those events is on the path; false while the packet has
	 *     only been sent
	 */
	public boolean wasDelivered() {
		return !wasDropped() && (wasDiscardedAfterDelivery() || events.stream().anyMatch(e -> e.isConsumed()
				|| "skb_copy_datagram_iovec".equals(e.where()) || "netif_receive_skb".equals(e.where())
				|| PacketEvent.SOCKET_RECEIVE.equals(e.where())));
	}

	/**
	 * Not lost, and taken by a socket: the {@code socket_receive} hook saw it, or its receiver
	 * discarded it after delivery (a FIN that a TIME_WAIT socket answers is taken by what is left
	 * of the connection, which the hook does not see).
	 *
	 * @return true when not lost and taken by a socket; without the hook, only a packet discarded
	 *     after delivery
	 */
	public boolean reachedSocket() {
		return !wasDropped() && (reached(PacketEvent.SOCKET_RECEIVE) || wasDiscardedAfterDelivery());
	}

	/**
	 * Whether a probe named {@code where} (tracepoint or function) saw this packet.
	 *
	 * @param where an event name, compared exactly: {@code "kfree_skb"}, {@code "ip_rcv"},
	 *     {@code "socket_receive"}
	 * @return true when at least one event of the path has that name
	 */
	public boolean reached(String where) {
		return events.stream().anyMatch(e -> e.where().equals(where));
	}

	/**
	 * Whether the packet passed through every one of {@code names}, in this order (gaps allowed).
	 *
	 * @param names event names in the order expected, e.g.
	 *     {@code List.of("ip_rcv", "ip_local_deliver")}; an empty list always passes
	 * @return true when the events hold the names in this order, other events between allowed
	 */
	public boolean passedThrough(List<String> names) {
		int next = 0;
		for (PacketEvent event : events) {
			if (next < names.size() && event.where().equals(names.get(next))) {
				next++;
			}
		}
		return next == names.size();
	}

	/**
	 * How long the packet took from one point of its path to another: from its first event named
	 * {@code from} to the first event named {@code to} after it, by the kernel's timestamps
	 * ({@link PacketEvent#timestampNanos()}). Between {@code net_dev_queue} and
	 * {@code net_dev_start_xmit} it is the time the packet waited in the device's qdisc; between
	 * {@code netif_receive_skb} and {@code socket_receive}, the receive path up to its socket.
	 *
	 * @param from an event name, compared exactly: {@code "net_dev_queue"}
	 * @param to an event name, compared exactly, looked for after {@code from}'s event (the same
	 *     name as {@code from} gives the time to its next pass there)
	 * @return the time between the two events; empty when the path has no {@code from}, or no
	 *     {@code to} after it
	 */
	public Optional<Duration> took(String from, String to) {
		return between(events, from, to);
	}

	/** {@link #took}, over events in the order given. */
	static Optional<Duration> between(List<PacketEvent> events, String from, String to) {
		PacketEvent start = null;
		for (PacketEvent event : events) {
			if (start == null) {
				if (event.where().equals(from)) {
					start = event;
				}
			} else if (event.where().equals(to)) {
				return Optional.of(Duration.ofNanos(event.timestampNanos() - start.timestampNanos()));
			}
		}
		return Optional.empty();
	}

	/**
	 * Where the trace first saw the packet.
	 *
	 * @return the event that opened the path
	 */
	public PacketEvent first() {
		return events.getFirst();
	}

	/**
	 * Where the trace last saw the packet.
	 *
	 * @return the latest event so far: the free ({@code kfree_skb} or {@code consume_skb}) once the
	 *     packet's life has ended
	 */
	public PacketEvent last() {
		return events.getLast();
	}
}
