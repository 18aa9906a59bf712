package io.tracepackets;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * One moment in a packet's life in the kernel: a probe ({@link #where()}) saw an skb.
 *
 * @param timestampNanos CLOCK_MONOTONIC, comparable with {@link System#nanoTime()}
 * @param cpu the CPU the probe ran on
 * @param pid the process (tgid) the CPU was running, often not the packet's sender: a softirq
 *     runs in whatever task it interrupted; 0 for the {@value #SOCKET_RECEIVE} hook
 * @param comm that process's command name, at most 15 characters ({@code "curl"},
 *     {@code "swapper/3"}); empty for the {@value #SOCKET_RECEIVE} hook
 * @param skb the sk_buff's address: the packet's identity while it lives
 * @param where the tracepoint's event name ({@code "kfree_skb"}) or the function's name
 * @param kind what kind of probe saw it: a tracepoint and a function can share a name
 *     ({@code netif_receive_skb} is both)
 * @param netns the skb's network namespace inode (its device's, else its socket's)
 * @param ifindex the index of the skb's device, else of the one it arrived on; 0 when neither
 *     is known
 * @param interfaceName the interface's name in that namespace, or {@code null} when unknown
 * @param mark skb->mark, as firewall rules and policy routing set it
 *     ({@code iptables -j MARK --set-mark 0x1}); 0 when unset
 * @param length skb->len in bytes: the data from the layer the kernel is at, so one packet's
 *     length changes along its path (on transmit it counts the Ethernet header)
 * @param etherType skb->protocol (0x0800 IPv4, 0x86DD IPv6)
 * @param ipVersion 4, 6, or 0 when the kernel found no IP header
 * @param source the IP source address; {@code null} when {@code ipVersion} is 0
 * @param destination the IP destination address; {@code null} when {@code ipVersion} is 0
 * @param l4Protocol IANA protocol number: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6
 * @param sourcePort TCP/UDP source port; 0 for other protocols
 * @param destinationPort TCP/UDP destination port; 0 for other protocols
 * @param icmpType ICMP or ICMPv6 type; -1 for other protocols
 * @param icmpCode ICMP or ICMPv6 code; -1 for other protocols
 * @param tcpFlags TCP header byte 13, one bit per {@link TcpFlag} ({@code 0x12}: SYN and ACK);
 *     0 for other protocols
 * @param dropReason for drops ({@code kfree_skb}), the reason; otherwise {@code null}
 * @param dropKind for drops, what the drop meant: lost, discarded after delivery, or not a loss
 * @param dropKindExplanation for drops, why it is that kind, e.g. {@code "QUEUE_PURGE at
 *     sk_stream_kill_queues: the socket's receive queue was purged when it closed unread"}
 * @param dropDiagnosis for drops, the likely cause and what to check, in words, with this
 *     packet's values: {@code "nothing listens on 10.0.0.2 udp/53 (or the socket is in another
 *     network namespace)"}
 * @param location for drops, where the skb was freed ({@code nf_hook_slow+0x7d}); otherwise null
 * @param stack for drops, the kernel stack, innermost first, as {@code function+0xoff}
 * @param journey the packet's journey id, assigned by the kernel the first time a probe saw the
 *     skb in scope and kept while the skb lives, across NAT and namespace crossings (see
 *     {@link Journey}); 0 when the kernel gave none
 * @param preNatSource when netfilter translated the packet (conntrack records SNAT or DNAT), its
 *     source before the translation; otherwise {@code null}
 * @param preNatDestination when netfilter translated the packet, its destination before the
 *     translation ({@code 10.10.20.99} for a packet sent there and DNATed); otherwise {@code null}
 * @param preNatSourcePort the source port before the translation; 0 without one
 * @param preNatDestinationPort the destination port before the translation; 0 without one
 * @param culprit for netfilter drops, the rule or chain policy that dropped the packet; null when
 *     unknown or for other events
 * @param whyNoCulprit for drops without a culprit, why none was named, as far as the trace could
 *     tell when it took the drop in: rule tracing off, a drop outside the traced namespaces, a
 *     netfilter trace that could not be set up or overflowed, no program attached where a tc or
 *     XDP drop happened, or a drop that no rule or program made; null for other events
 * @param packetBytes the first bytes of the packet, when the trace captures them
 *     ({@link TracePackets#snapLength()}) and the probe could read them; otherwise empty
 */
public record PacketEvent(long timestampNanos, int cpu, int pid, String comm, long skb, String where,
		ProbeKind kind, long netns, int ifindex, String interfaceName, int mark, int length, int etherType,
		int ipVersion, InetAddress source, InetAddress destination, int l4Protocol, int sourcePort,
		int destinationPort, int icmpType, int icmpCode, int tcpFlags, DropReason dropReason, DropKind dropKind, String dropKindExplanation, String dropDiagnosis, String location, List<String> stack,
		long journey, InetAddress preNatSource, InetAddress preNatDestination, int preNatSourcePort,
		int preNatDestinationPort, DropCulprit culprit, String whyNoCulprit, Optional<PacketBytes> packetBytes) {

	/**
	 * The hook where a socket accepts an skb (a cgroup_skb ingress program, where the kernel
	 * allows it): the event name, and the BPF program's name.
	 */
	public static final String SOCKET_RECEIVE = "socket_receive";

	/**
	 * The probe on an XDP program (fexit on the program, where function probes work): its events
	 * are the packets the program dropped (XDP_DROP or XDP_ABORTED) before any skb existed, one
	 * event each, a drop ({@link #isDrop()}) whose {@link #skb()} is the packet's data address.
	 */
	public static final String XDP = "xdp";

	/** {@link #l4Protocol()} of TCP: {@value}. */
	public static final int TCP = 6;
	/** {@link #l4Protocol()} of UDP: {@value}. */
	public static final int UDP = 17;
	/** {@link #l4Protocol()} of ICMP (IPv4): {@value}. */
	public static final int ICMP = 1;
	/** {@link #l4Protocol()} of ICMPv6: {@value}. */
	public static final int ICMPV6 = 58;

	/** Copies {@code stack} ({@code null} becomes empty), so an event never changes. */
	public PacketEvent {
		stack = stack == null ? List.of() : List.copyOf(stack);
		packetBytes = packetBytes == null ? Optional.empty() : packetBytes;
	}

	/**
	 * An event without a journey id, translation, drop culprit or packet bytes: every component up to
	 * {@link #stack()}, in the same order.
	 *
	 * @param timestampNanos see the record
	 * @param cpu see the record
	 * @param pid see the record
	 * @param comm see the record
	 * @param skb see the record
	 * @param where see the record
	 * @param kind see the record
	 * @param netns see the record
	 * @param ifindex see the record
	 * @param interfaceName see the record
	 * @param mark see the record
	 * @param length see the record
	 * @param etherType see the record
	 * @param ipVersion see the record
	 * @param source see the record
	 * @param destination see the record
	 * @param l4Protocol see the record
	 * @param sourcePort see the record
	 * @param destinationPort see the record
	 * @param icmpType see the record
	 * @param icmpCode see the record
	 * @param tcpFlags see the record
	 * @param dropReason see the record
	 * @param dropKind see the record
	 * @param dropKindExplanation see the record
	 * @param dropDiagnosis see the record
	 * @param location see the record
	 * @param stack see the record
	 */
	public PacketEvent(long timestampNanos, int cpu, int pid, String comm, long skb, String where,
			ProbeKind kind, long netns, int ifindex, String interfaceName, int mark, int length, int etherType,
			int ipVersion, InetAddress source, InetAddress destination, int l4Protocol, int sourcePort,
			int destinationPort, int icmpType, int icmpCode, int tcpFlags, DropReason dropReason, DropKind dropKind,
			String dropKindExplanation, String dropDiagnosis, String location, List<String> stack) {
		this(timestampNanos, cpu, pid, comm, skb, where, kind, netns, ifindex, interfaceName, mark, length, etherType,
				ipVersion, source, destination, l4Protocol, sourcePort, destinationPort, icmpType, icmpCode, tcpFlags,
				dropReason, dropKind, dropKindExplanation, dropDiagnosis, location, stack, 0, null, null, 0, 0, null, null,
				Optional.empty());
	}

	/**
	 * Whether conntrack recorded a translation for this packet, and so its tuple before it.
	 *
	 * @return true when {@link #preNatDestination()} and {@link #preNatSource()} are set
	 */
	public boolean wasTranslated() {
		return preNatDestination != null && preNatSource != null;
	}

	/**
	 * This event as the packet looked before netfilter translated it: the same event with the
	 * tuple conntrack recorded. A filter on the address the packet was sent to matches it.
	 *
	 * @return the event with {@link #source()}, {@link #destination()} and the ports from before
	 *     the translation; empty when the packet was not translated
	 */
	public Optional<PacketEvent> beforeTranslation() {
		if (!wasTranslated()) {
			return Optional.empty();
		}
		boolean ported = l4Protocol == TCP || l4Protocol == UDP;
		return Optional.of(new PacketEvent(timestampNanos, cpu, pid, comm, skb, where, kind, netns, ifindex,
				interfaceName, mark, length, etherType, ipVersion, preNatSource, preNatDestination, l4Protocol,
				ported ? preNatSourcePort : sourcePort, ported ? preNatDestinationPort : destinationPort, icmpType,
				icmpCode, tcpFlags, dropReason, dropKind, dropKindExplanation, dropDiagnosis, location, stack, journey,
				null, null, 0, 0, culprit, whyNoCulprit, packetBytes));
	}

	/**
	 * A free with a reason: kfree_skb, whatever the drop meant ({@link #dropKind()}), or an XDP
	 * program's drop verdict seen by the {@value #XDP} probe.
	 *
	 * @return true only for the {@code kfree_skb} tracepoint's events and the {@value #XDP} probe's
	 */
	public boolean isDrop() {
		return "kfree_skb".equals(where) && kind == ProbeKind.TRACEPOINT || XDP.equals(where) && kind == ProbeKind.HOOK;
	}

	/**
	 * A drop that lost the packet: freed before it reached its destination.
	 *
	 * @return true for a drop whose {@link #dropKind()} is {@link DropKind#LOST}
	 */
	public boolean isLoss() {
		return isDrop() && dropKind == DropKind.LOST;
	}

	/**
	 * A normal end of life: consume_skb.
	 *
	 * @return true only for the {@code consume_skb} tracepoint's events
	 */
	public boolean isConsumed() {
		return "consume_skb".equals(where) && kind == ProbeKind.TRACEPOINT;
	}

	/**
	 * Where the skb was freed, as a function name without offset, for drops.
	 *
	 * @return e.g. {@code "nf_hook_slow"} for the location {@code "nf_hook_slow+0x7d"}; empty when
	 *     the event is no drop or the kernel gave no location
	 */
	public Optional<String> locationFunction() {
		return Optional.ofNullable(location).map(PacketEvent::functionOf);
	}

	/**
	 * Stack frames as function names without offsets.
	 *
	 * @return {@link #stack()}, innermost first, {@code "nf_hook_slow+0x7d [nf_tables]"} cut to
	 *     {@code "nf_hook_slow"}; empty for events other than drops
	 */
	public List<String> stackFunctions() {
		return stack.stream().map(PacketEvent::functionOf).toList();
	}

	/** {@code "nf_hook_slow+0x7d [nf_tables]"} → {@code "nf_hook_slow"}. */
	static String functionOf(String frame) {
		int end = frame.length();
		for (int i = 0; i < frame.length(); i++) {
			char c = frame.charAt(i);
			if (c == '+' || c == ' ') {
				end = i;
				break;
			}
		}
		return frame.substring(0, end);
	}

	/**
	 * The protocol's name: tcp, udp, icmp, icmp6, or the number.
	 *
	 * @return {@code "tcp"}, {@code "udp"}, {@code "icmp"}, {@code "icmp6"}, {@code "proto47"} for
	 *     another number, {@code "ip"} for protocol 0, or empty when there is no IP header
	 */
	public String protocolName() {
		return switch (l4Protocol) {
			case TCP -> "tcp";
			case UDP -> "udp";
			case ICMP -> "icmp";
			case ICMPV6 -> "icmp6";
			case 0 -> ipVersion == 0 ? "" : "ip";
			default -> "proto" + l4Protocol;
		};
	}
}
