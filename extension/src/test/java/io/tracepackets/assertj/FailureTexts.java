package io.tracepackets.assertj;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Test fixture: the text the assertion failures show of the {@link TracedPackets} traced in the
 * "server" netns: each packet's pwru-style rows and why it was lost ({@link #table}), the line a
 * failure ends with ({@link #tracedInServer}), and the failure on lost events ({@link #lostEvents}).
 * A test writes out the lines it is about (what it expected, what the packets did not) and takes
 * these, which are the same in every failure, from here.
 */
final class FailureTexts {

	/** The rows of one packet and, when it was lost, the lines under the table saying why. */
	record PacketText(String rows, String whyLost) {
	}

	static final String TABLE_HEADER = """
			  TIME        HOP        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
			""";

	/** {@link TracedPackets#droppedByNftables()}. */
	static final PacketText DROPPED_BY_NFTABLES = new PacketText("""
			  +1.500ms    -          0xffff888004a3c000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             netif_receive_skb
			  +1.600ms    +0.100ms   0xffff888004a3c000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             kfree_skb NETFILTER_DROP (lost) at nft_do_chain+0x2f1 [nf_tables]
			""", """
			  lost: NETFILTER_DROP: dropped by a netfilter rule or policy
			    a netfilter rule or chain policy dropped it (iptables/nftables)
			""");

	/** {@link TracedPackets#delivered()}. */
	static final PacketText DELIVERED = new PacketText("""
			  +2.000ms    -          0xffff888004a3d000 0   [swapper/0]        4026532001  eth0(12)       60    10.0.0.1:40001 > 10.0.0.2:9001 udp             netif_receive_skb
			  +2.100ms    +0.100ms   0xffff888004a3d000 0   [swapper/0]        4026532001  eth0(12)       60    10.0.0.1:40001 > 10.0.0.2:9001 udp             skb_copy_datagram_iovec
			  +2.200ms    +0.100ms   0xffff888004a3d000 0   [swapper/0]        4026532001  eth0(12)       60    10.0.0.1:40001 > 10.0.0.2:9001 udp             consume_skb
			""", "");

	/** {@link TracedPackets#droppedForNoSocket()}. */
	static final PacketText DROPPED_FOR_NO_SOCKET = new PacketText("""
			  +3.000ms    -          0xffff888004a3e000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40002 > 10.0.0.2:53 udp               netif_receive_skb
			  +3.100ms    +0.100ms   0xffff888004a3e000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40002 > 10.0.0.2:53 udp               kfree_skb NO_SOCKET (lost) at __udp4_lib_rcv+0x9c4
			""", """
			  lost: NO_SOCKET: no socket matched: it never reached a receiver
			    nothing listens on 10.0.0.2 udp/53 (or the socket is in another network namespace)
			""");

	/** {@link TracedPackets#receivedByTheStackOnly()}. */
	static final PacketText RECEIVED_BY_THE_STACK_ONLY = new PacketText("""
			  +5.000ms    -          0xffff888004a40000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40004 > 10.0.0.2:9003 udp             netif_receive_skb
			""", "");

	private FailureTexts() {
	}

	/**
	 * The table a failure shows of {@code packets}, in the "server" netns: the header, every packet's
	 * rows, then why each was lost, the netns, and the blank line before the failure's last line.
	 */
	static String table(PacketText... packets) {
		return TABLE_HEADER + joined(packets, PacketText::rows) + joined(packets, PacketText::whyLost)
				+ "  netns 4026532001 = server\n\n";
	}

	private static String joined(PacketText[] packets, java.util.function.Function<PacketText, String> part) {
		return Arrays.stream(packets).map(part).collect(Collectors.joining());
	}

	/** The line a failure on {@link TracedPackets#trace} ends with. */
	static String tracedInServer(int packets) {
		return "Traced " + packets + (packets == 1 ? " packet" : " packets")
				+ " in netns server with the tracepoint backend (kprobes are disabled in this test).";
	}

	/** The failure of any assertion on a trace that lost {@code count} events (none skipped). */
	static String lostEvents(long count) {
		return """

				Expecting the trace to hold every event, but it lost:
				  %d events
				The ring buffer or the event store was full, so any assertion on this trace could be wrong.
				Raise -Dtracepackets.ringbuffer.bytes (ring buffer bytes) or -Dtracepackets.events.bytes (event store bytes), or send fewer packets.
				Counts lose nothing: assertThat(trace).drops().withReason(...).hasCount(n) and assertThat(trace).counts().at("net_dev_queue").hasCount(n) answer exactly from what the probes counted in the kernel.""" //
				.formatted(count);
	}
}
