package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.droppedByNftables;
import static io.tracepackets.assertj.TracedPackets.trace;
import static io.tracepackets.assertj.error.PacketsShould.shouldHaveCount;
import static org.assertj.core.api.BDDAssertions.then;
import static org.assertj.core.presentation.StandardRepresentation.STANDARD_REPRESENTATION;

import java.util.List;

import org.assertj.core.description.TextDescription;
import org.assertj.core.error.ErrorMessageFactory;
import org.junit.jupiter.api.Test;

class PacketsShould_shouldHaveCount_create_Test {

	@Test
	void should_create_error_message_showing_the_paths_of_every_matching_packet() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables(), delivered());
		ErrorMessageFactory factory = shouldHaveCount(trace, udp(), 3, trace.paths());

		// WHEN
		String message = factory.create(new TextDescription("Test"), STANDARD_REPRESENTATION);

		// THEN
		then(message).isEqualTo("""
				[Test]\s
				Expecting exactly 3 packets matching:
				  udp
				but found 2:
				  TIME        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
				  +1.500ms    0xffff888004a3c000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             netif_receive_skb
				  +1.600ms    0xffff888004a3c000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             kfree_skb NETFILTER_DROP (lost) at nft_do_chain+0x2f1 [nf_tables]
				  +2.000ms    0xffff888004a3d000 0   [swapper/0]        4026532001  eth0(12)       60    10.0.0.1:40001 > 10.0.0.2:9001 udp             netif_receive_skb
				  +2.100ms    0xffff888004a3d000 0   [swapper/0]        4026532001  eth0(12)       60    10.0.0.1:40001 > 10.0.0.2:9001 udp             skb_copy_datagram_iovec
				  +2.200ms    0xffff888004a3d000 0   [swapper/0]        4026532001  eth0(12)       60    10.0.0.1:40001 > 10.0.0.2:9001 udp             consume_skb
				  lost: NETFILTER_DROP: dropped by a netfilter rule or policy
				    a netfilter rule or chain policy dropped it (iptables/nftables)
				  netns 4026532001 = server

				Traced 2 packets in netns server with the tracepoint backend (kprobes are disabled in this test).""");
	}

	@Test
	void should_create_error_message_saying_no_packet_matched() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables(), delivered());
		ErrorMessageFactory factory = shouldHaveCount(trace, tcp(), 2, List.of());

		// WHEN
		String message = factory.create(new TextDescription("Test"), STANDARD_REPRESENTATION);

		// THEN
		then(message).isEqualTo("""
				[Test]\s
				Expecting exactly 2 packets matching:
				  tcp
				but found 0:
				  (no packets)

				Traced 2 packets in netns server with the tracepoint backend (kprobes are disabled in this test).""");
	}
}
