package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.droppedByNftables;
import static io.tracepackets.assertj.TracedPackets.droppedForNoSocket;
import static io.tracepackets.assertj.TracedPackets.trace;
import static io.tracepackets.assertj.error.PacketsShould.shouldNone;
import static org.assertj.core.api.BDDAssertions.then;
import static org.assertj.core.presentation.StandardRepresentation.STANDARD_REPRESENTATION;

import io.tracepackets.PacketPath;

import java.util.List;

import org.assertj.core.description.TextDescription;
import org.assertj.core.error.ErrorMessageFactory;
import org.junit.jupiter.api.Test;

class PacketsShould_shouldNone_create_Test {

	@Test
	void should_create_error_message_showing_the_paths_of_the_offending_packets() {
		// GIVEN two packets dropped, one delivered
		FakePacketTrace trace = trace(droppedByNftables(), delivered(), droppedForNoSocket());
		List<PacketPath> dropped = trace.paths().stream().filter(PacketPath::wasDropped).toList();
		ErrorMessageFactory factory = shouldNone(trace, udp(), "not to be dropped", dropped);

		// WHEN
		String message = factory.create(new TextDescription("Test"), STANDARD_REPRESENTATION);

		// THEN
		then(message).isEqualTo("""
				[Test]\s
				Expecting packets matching:
				  udp
				not to be dropped
				but 2 did:
				  TIME        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
				  +1.500ms    0xffff888004a3c000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             netif_receive_skb
				  +1.600ms    0xffff888004a3c000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             kfree_skb NETFILTER_DROP (lost) at nft_do_chain+0x2f1 [nf_tables]
				  +3.000ms    0xffff888004a3e000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40002 > 10.0.0.2:53 udp               netif_receive_skb
				  +3.100ms    0xffff888004a3e000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40002 > 10.0.0.2:53 udp               kfree_skb NO_SOCKET (lost) at __udp4_lib_rcv+0x9c4
				  lost: NETFILTER_DROP: dropped by a netfilter rule or policy
				    a netfilter rule or chain policy dropped it (iptables/nftables)
				  lost: NO_SOCKET: no socket matched: it never reached a receiver
				    nothing listens on 10.0.0.2 udp/53 (or the socket is in another network namespace)
				  netns 4026532001 = server

				Traced 3 packets in netns server with the tracepoint backend (kprobes are disabled in this test).""");
	}
}
