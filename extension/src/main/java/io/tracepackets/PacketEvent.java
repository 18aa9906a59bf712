package io.tracepackets;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * One moment in a packet's life in the kernel: a probe ({@link #where()}) saw an skb.
 *
 * @param timestampNanos CLOCK_MONOTONIC, comparable with {@link System#nanoTime()}
 * @param skb the sk_buff's address: the packet's identity while it lives
 * @param where the tracepoint's event name ({@code "kfree_skb"}) or the function's name
 * @param netns the skb's network namespace inode (its device's, else its socket's)
 * @param interfaceName the interface's name in that namespace, or {@code null} when unknown
 * @param etherType skb->protocol (0x0800 IPv4, 0x86DD IPv6)
 * @param ipVersion 4, 6, or 0 when the kernel found no IP header
 * @param l4Protocol IANA protocol number: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6
 * @param sourcePort TCP/UDP source port; 0 for other protocols
 * @param destinationPort TCP/UDP destination port; 0 for other protocols
 * @param icmpType ICMP or ICMPv6 type; -1 for other protocols
 * @param icmpCode ICMP or ICMPv6 code; -1 for other protocols
 * @param dropReason for drops ({@code kfree_skb}), the reason; otherwise {@code null}
 * @param dropKind for drops, what the drop meant: lost, discarded after delivery, or not a loss
 * @param dropKindExplanation for drops, why it is that kind, e.g. {@code "QUEUE_PURGE at
 *     sk_stream_kill_queues: the socket's receive queue was purged when it closed unread"}
 * @param dropDiagnosis for drops, the likely cause and what to check, in words, with this
 *     packet's values: {@code "nothing listens on 10.0.0.2 udp/53 (or the socket is in another
 *     network namespace)"}
 * @param location for drops, where the skb was freed ({@code nf_hook_slow+0x7d}); otherwise null
 * @param stack for drops, the kernel stack, innermost first, as {@code function+0xoff}
 */
public record PacketEvent(long timestampNanos, int cpu, int pid, String comm, long skb, String where,
		ProbeKind kind, long netns, int ifindex, String interfaceName, int mark, int length, int etherType,
		int ipVersion, InetAddress source, InetAddress destination, int l4Protocol, int sourcePort,
		int destinationPort, int icmpType, int icmpCode, int tcpFlags, DropReason dropReason, DropKind dropKind, String dropKindExplanation, String dropDiagnosis, String location, List<String> stack) {

	/**
	 * The hook where a socket accepts an skb (a cgroup_skb ingress program, where the kernel
	 * allows it): the event name, and the BPF program's name.
	 */
	public static final String SOCKET_RECEIVE = "socket_receive";

	public static final int TCP = 6;
	public static final int UDP = 17;
	public static final int ICMP = 1;
	public static final int ICMPV6 = 58;

	public PacketEvent {
		stack = stack == null ? List.of() : List.copyOf(stack);
	}

	/** A free with a reason: kfree_skb, whatever the drop meant ({@link #dropKind()}). */
	public boolean isDrop() {
		return "kfree_skb".equals(where) && kind == ProbeKind.TRACEPOINT;
	}

	/** A drop that lost the packet: freed before it reached its destination. */
	public boolean isLoss() {
		return isDrop() && dropKind == DropKind.LOST;
	}

	/** A normal end of life: consume_skb. */
	public boolean isConsumed() {
		return "consume_skb".equals(where) && kind == ProbeKind.TRACEPOINT;
	}

	/** Where the skb was freed, as a function name without offset, for drops. */
	public Optional<String> locationFunction() {
		return Optional.ofNullable(location).map(PacketEvent::functionOf);
	}

	/** Stack frames as function names without offsets. */
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

	/** The protocol's name: tcp, udp, icmp, icmp6, or the number. */
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
