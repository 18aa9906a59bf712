package io.tracepackets;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * One moment in a packet's life in the kernel: a probe ({@link #where()}) saw an skb. What a test
 * reads of it: when and where, the packet's tuple, and for a drop its reason, what it meant, who
 * made it or why none was named. The trace builds events from the kernel's records, whose layout
 * stays inside TracePackets; a test reads them ({@link PacketTrace#events()},
 * {@link PacketPath#events()}) and never builds one. Events are values: two are equal when all
 * they hold is.
 */
public interface PacketEvent {

	/**
	 * The hook where a socket accepts an skb (a cgroup_skb ingress program, where the kernel
	 * allows it): the event name, and the BPF program's name.
	 */
	String SOCKET_RECEIVE = "socket_receive";

	/**
	 * The probe on an XDP program (fexit on the program, where function probes work): its events
	 * are the packets the program dropped (XDP_DROP or XDP_ABORTED) before any skb existed, one
	 * event each, a drop ({@link #isDrop()}) whose {@link #skb()} is the packet's data address.
	 */
	String XDP = "xdp";

	/** {@link #l4Protocol()} of TCP: {@value}. */
	int TCP = 6;
	/** {@link #l4Protocol()} of UDP: {@value}. */
	int UDP = 17;
	/** {@link #l4Protocol()} of ICMP (IPv4): {@value}. */
	int ICMP = 1;
	/** {@link #l4Protocol()} of ICMPv6: {@value}. */
	int ICMPV6 = 58;

	/** {@return when the probe ran: CLOCK_MONOTONIC nanoseconds, comparable with {@link System#nanoTime()}} */
	long timestampNanos();

	/** {@return the CPU the probe ran on} */
	int cpu();

	/**
	 * {@return the process (tgid) the CPU was running, often not the packet's sender: a softirq runs
	 * in whatever task it interrupted; 0 for the {@value #SOCKET_RECEIVE} hook}
	 */
	int pid();

	/**
	 * {@return that process's command name, at most 15 characters ({@code "curl"}, {@code
	 * "swapper/3"}); empty for the {@value #SOCKET_RECEIVE} hook}
	 */
	String comm();

	/** {@return the sk_buff's address: the packet's identity while it lives} */
	long skb();

	/** {@return the tracepoint's event name ({@code "kfree_skb"}) or the function's name} */
	String where();

	/**
	 * {@return what kind of probe saw it: a tracepoint and a function can share a name ({@code
	 * netif_receive_skb} is both)}
	 */
	ProbeKind kind();

	/** {@return the skb's network namespace inode (its device's, else its socket's)} */
	long netns();

	/**
	 * {@return the index of the skb's device, else of the one it arrived on; 0 when neither is known}
	 */
	int ifindex();

	/** {@return the interface's name in that namespace, or {@code null} when unknown} */
	String interfaceName();

	/**
	 * {@return skb->mark, as firewall rules and policy routing set it ({@code iptables -j MARK
	 * --set-mark 0x1}); 0 when unset}
	 */
	int mark();

	/**
	 * {@return skb->len in bytes: the data from the layer the kernel is at, so one packet's length
	 * changes along its path (on transmit it counts the Ethernet header)}
	 */
	int length();

	/** {@return skb->protocol (0x0800 IPv4, 0x86DD IPv6)} */
	int etherType();

	/** {@return 4, 6, or 0 when the kernel found no IP header} */
	int ipVersion();

	/** {@return the IP source address; {@code null} when {@code ipVersion} is 0} */
	InetAddress source();

	/** {@return the IP destination address; {@code null} when {@code ipVersion} is 0} */
	InetAddress destination();

	/** {@return IANA protocol number: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6} */
	int l4Protocol();

	/** {@return TCP/UDP source port; 0 for other protocols} */
	int sourcePort();

	/** {@return TCP/UDP destination port; 0 for other protocols} */
	int destinationPort();

	/** {@return ICMP or ICMPv6 type; -1 for other protocols} */
	int icmpType();

	/** {@return ICMP or ICMPv6 code; -1 for other protocols} */
	int icmpCode();

	/**
	 * {@return TCP header byte 13, one bit per {@link TcpFlag} ({@code 0x12}: SYN and ACK); 0 for
	 * other protocols}
	 */
	int tcpFlags();

	/** {@return for drops ({@code kfree_skb}), the reason; otherwise {@code null}} */
	DropReason dropReason();

	/** {@return for drops, what the drop meant: lost, discarded after delivery, or not a loss} */
	DropKind dropKind();

	/**
	 * {@return for drops, why it is that kind, e.g. {@code "QUEUE_PURGE at sk_stream_kill_queues: the
	 * socket's receive queue was purged when it closed unread"}}
	 */
	String dropKindExplanation();

	/**
	 * {@return for drops, the likely cause and what to check, in words, with this packet's values:
	 * {@code "nothing listens on 10.0.0.2 udp/53 (or the socket is in another network namespace)"}}
	 */
	String dropDiagnosis();

	/** {@return for drops, where the skb was freed ({@code nf_hook_slow+0x7d}); otherwise null} */
	String location();

	/** {@return for drops, the kernel stack, innermost first, as {@code function+0xoff}} */
	List<String> stack();

	/**
	 * {@return the packet's journey id, assigned by the kernel the first time a probe saw the skb in
	 * scope and kept while the skb lives, across NAT and namespace crossings (see {@link Journey}); 0
	 * when the kernel gave none}
	 */
	long journey();

	/**
	 * {@return for drops, the netfilter rule or chain policy, or the tc or XDP program, that dropped
	 * the packet; empty when none could be named or for other events}
	 */
	Optional<DropCulprit> culprit();

	/**
	 * {@return for drops without a culprit, why none was named, as far as the trace could tell when it
	 * took the drop in: rule tracing off, a drop outside the traced namespaces, a netfilter trace that
	 * could not be set up or overflowed, no program attached where a tc or XDP drop happened, or a
	 * drop that no rule or program made; empty when a culprit was named, and for other events}
	 */
	Optional<String> whyNoCulprit();

	/**
	 * {@return the first bytes of the packet, when the trace captures them ({@link
	 * TracePackets#snapLength()}) and the probe could read them; otherwise empty}
	 */
	Optional<PacketBytes> packetBytes();

	/**
	 * What the function returned, for a {@link ProbeKind#FUNCTION_RETURN} event: one of
	 * {@link ReturnValue#RECORDED} returned, with a function backend. The event's other fields are
	 * the skb's as the function was entered (it may be freed by the time it returns: nf_hook_slow
	 * frees what it drops).
	 *
	 * @return e.g. {@code ip_route_input_noref → -EHOSTUNREACH}; empty for every other event
	 */
	default Optional<ReturnValue> returned() {
		return Optional.empty();
	}

	/**
	 * What conntrack decided about the packet, where the skb carries its decision: its state (NEW,
	 * ESTABLISHED, RELATED, UNTRACKED; INVALID at a netfilter drop of a packet conntrack refused),
	 * direction, zone, mark, and whether the connection is translated. A test asserts on it, e.g.
	 * {@code assertThat(drop.conntrack()).map(Conntrack::state).contains(ConntrackState.INVALID)}.
	 *
	 * @return the skb's conntrack entry at this event; empty where it has none: before conntrack's
	 *     hook, after a veth crossing or TCP's delivery cleared it, in a namespace without conntrack
	 */
	Optional<Conntrack> conntrack();

	/**
	 * Whether conntrack recorded a translation for this packet, and so its tuple before it.
	 *
	 * @return true when {@link #beforeTranslation()} has the tuple from before
	 */
	default boolean wasTranslated() {
		return beforeTranslation().isPresent();
	}

	/**
	 * This event as the packet looked before netfilter translated it: the same event with the
	 * tuple conntrack recorded. A filter on the address the packet was sent to matches it.
	 *
	 * @return the event with {@link #source()}, {@link #destination()} and the ports from before
	 *     the translation; empty when the packet was not translated
	 */
	Optional<PacketEvent> beforeTranslation();

	/**
	 * The outer headers of an overlay's packet on the underlay (VXLAN): where a probe sees the packet
	 * encapsulated, this event's own tuple is the inner packet's, and these are the headers the
	 * underlay saw.
	 *
	 * @return the encapsulation; empty for a packet that is not encapsulated here
	 */
	default Optional<Encapsulation> encapsulation() {
		return Optional.empty();
	}

	/**
	 * This event as the underlay saw the packet: the same event with the outer headers' tuple (UDP
	 * between the nodes' underlay addresses), what the underlay's firewall rules match.
	 *
	 * @return the event with the outer tuple; empty when the packet is not encapsulated here
	 */
	default Optional<PacketEvent> outer() {
		return Optional.empty();
	}

	/**
	 * A free with a reason: kfree_skb, whatever the drop meant ({@link #dropKind()}), or an XDP
	 * program's drop verdict seen by the {@value #XDP} probe.
	 *
	 * @return true only for the {@code kfree_skb} tracepoint's events and the {@value #XDP} probe's
	 */
	default boolean isDrop() {
		return "kfree_skb".equals(where()) && kind() == ProbeKind.TRACEPOINT
				|| XDP.equals(where()) && kind() == ProbeKind.HOOK;
	}

	/**
	 * A drop that lost the packet: freed before it reached its destination.
	 *
	 * @return true for a drop whose {@link #dropKind()} is {@link DropKind#LOST}
	 */
	default boolean isLoss() {
		return isDrop() && dropKind() == DropKind.LOST;
	}

	/**
	 * A normal end of life: consume_skb.
	 *
	 * @return true only for the {@code consume_skb} tracepoint's events
	 */
	default boolean isConsumed() {
		return "consume_skb".equals(where()) && kind() == ProbeKind.TRACEPOINT;
	}

	/**
	 * Where the skb was freed, as a function name without offset, for drops.
	 *
	 * @return e.g. {@code "nf_hook_slow"} for the location {@code "nf_hook_slow+0x7d"}; empty when
	 *     the event is no drop or the kernel gave no location
	 */
	default Optional<String> locationFunction() {
		return Optional.ofNullable(location()).map(FrameNames::functionOf);
	}

	/**
	 * Stack frames as function names without offsets.
	 *
	 * @return {@link #stack()}, innermost first, {@code "nf_hook_slow+0x7d [nf_tables]"} cut to
	 *     {@code "nf_hook_slow"}; empty for events other than drops
	 */
	default List<String> stackFunctions() {
		return stack().stream().map(FrameNames::functionOf).toList();
	}

	/**
	 * The protocol's name: tcp, udp, icmp, icmp6, or the number.
	 *
	 * @return {@code "tcp"}, {@code "udp"}, {@code "icmp"}, {@code "icmp6"}, {@code "proto47"} for
	 *     another number, {@code "ip"} for protocol 0, or empty when there is no IP header
	 */
	default String protocolName() {
		return switch (l4Protocol()) {
			case TCP -> "tcp";
			case UDP -> "udp";
			case ICMP -> "icmp";
			case ICMPV6 -> "icmp6";
			case 0 -> ipVersion() == 0 ? "" : "ip";
			default -> "proto" + l4Protocol();
		};
	}
}
