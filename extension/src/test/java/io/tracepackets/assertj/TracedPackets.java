package io.tracepackets.assertj;

import static io.tracepackets.assertj.FakePacketTrace.START;

import io.tracepackets.DropReason;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketEvents;
import io.tracepackets.ProbeCatalog;
import io.tracepackets.ProbeKind;

import java.util.Arrays;
import java.util.List;

/**
 * Test fixture: the packets of the assertion tests, received on eth0 of the netns labelled
 * "server" ({@link PacketEvents#NETNS}).
 */
final class TracedPackets {

	static final String NETNS_LABEL = "server";

	/** 10.0.0.1:40000 > 10.0.0.2:9000, dropped by an iptables-nft rule. */
	static final PacketEvents UDP_9000 = toServer(40000, 9000, PacketEvents.SKB, 1);

	/** 10.0.0.1:40001 > 10.0.0.2:9001, read by its socket. */
	static final PacketEvents UDP_9001 = toServer(40001, 9001, 0xffff888004a3d000L, 0);

	/** 10.0.0.1:40002 > 10.0.0.2:53, dropped for want of a socket. */
	static final PacketEvents UDP_53 = toServer(40002, 53, 0xffff888004a3e000L, 1);

	/** 10.0.0.1:40003 > 10.0.0.2:9002, accepted by its socket on a kernel with the socket_receive hook. */
	static final PacketEvents UDP_9002 = toServer(40003, 9002, 0xffff888004a3f000L, 0);

	/** 10.0.0.1:40004 > 10.0.0.2:9003, taken in by the stack and never seen again. */
	static final PacketEvents UDP_9003 = toServer(40004, 9003, 0xffff888004a40000L, 1);

	private TracedPackets() {
	}

	/**
	 * 10.0.0.1:{@code sourcePort} > 10.0.0.2:{@code destinationPort} in skb {@code skb}, received on
	 * eth0 in softirq on {@code cpu}.
	 */
	private static PacketEvents toServer(int sourcePort, int destinationPort, long skb, int cpu) {
		return PacketEvents.udp("10.0.0.1", sourcePort, "10.0.0.2", destinationPort).skb(skb)
				.process(cpu, 0, "swapper/" + cpu)
				.iface(12, "eth0");
	}

	/**
	 * iptables-nft's drop: the skb is freed in nft_do_chain, which nf_hook_slow called. Whether
	 * the location is nft_do_chain or nf_hook_slow depends on the kernel.
	 */
	static List<PacketEvent> droppedByNftables() {
		return List.of(
				UDP_9000.at(START + 1_500_000, "netif_receive_skb"),
				UDP_9000.dropped(START + 1_600_000, DropReason.NETFILTER_DROP, "nft_do_chain+0x2f1 [nf_tables]",
						"kfree_skb_reason+0x8a", "nft_do_chain+0x2f1 [nf_tables]", "nft_do_chain_ipv4+0x5e [nf_tables]",
						"nf_hook_slow+0x42", "ip_local_deliver+0x7c", "__netif_receive_skb_one_core+0x88"));
	}

	static List<PacketEvent> delivered() {
		return List.of(
				UDP_9001.at(START + 2_000_000, "netif_receive_skb"),
				UDP_9001.at(START + 2_100_000, "skb_copy_datagram_iovec"),
				UDP_9001.consumed(START + 2_200_000));
	}

	/** No socket listens on port 53: dropped by __udp4_lib_rcv. */
	static List<PacketEvent> droppedForNoSocket() {
		return List.of(
				UDP_53.at(START + 3_000_000, "netif_receive_skb"),
				UDP_53.dropped(START + 3_100_000, DropReason.NO_SOCKET, "__udp4_lib_rcv+0x9c4", "kfree_skb_reason+0x8a",
						"__udp4_lib_rcv+0x9c4", "udp_rcv+0x1d", "ip_local_deliver+0x7c"));
	}

	/**
	 * Accepted by a socket: the socket_receive hook saw it (a UDP read leaves no tracepoint, and
	 * frees the skb without one).
	 */
	static List<PacketEvent> deliveredToSocket() {
		return List.of(
				UDP_9002.at(START + 4_000_000, "netif_receive_skb"),
				hook(UDP_9002, START + 4_100_000, PacketEvent.SOCKET_RECEIVE));
	}

	/**
	 * Received by the stack, neither dropped nor accepted by a socket: delivered on a kernel
	 * without the socket_receive hook, not on one with it.
	 */
	static List<PacketEvent> receivedByTheStackOnly() {
		return List.of(UDP_9003.at(START + 5_000_000, "netif_receive_skb"));
	}

	/** What {@code packet}.at would make, seen by a BPF hook rather than a tracepoint, as the decoder makes it. */
	private static PacketEvent hook(PacketEvents packet, long nanos, String hook) {
		return packet.hook(nanos, hook);
	}

	/** A trace in the "server" netns of {@code events}. */
	@SafeVarargs
	static FakePacketTrace trace(List<PacketEvent>... events) {
		return trace(FakeProbeCatalog.standard(), events);
	}

	/** A trace in the "server" netns of {@code events}, by a tracer that sees what {@code catalog} does. */
	@SafeVarargs
	static FakePacketTrace trace(ProbeCatalog catalog, List<PacketEvent>... events) {
		List<PacketEvent> all = Arrays.stream(events).flatMap(List::stream).toList();
		return new FakePacketTrace(catalog, all).withNetns(PacketEvents.NETNS, NETNS_LABEL);
	}
}
