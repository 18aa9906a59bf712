package io.tracepackets.assertj;

import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.droppedByNftables;
import static io.tracepackets.assertj.TracedPackets.droppedForNoSocket;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.tracepackets.PacketEvents;
import io.tracepackets.PacketTrace;

import java.util.List;

import org.junit.jupiter.api.Test;

class PacketTraceAssert_allPackets_Test {

	@Test
	void should_match_every_packet_in_scope_whatever_its_protocol() {
		// GIVEN three UDP packets and an ARP request
		PacketEvents arp = PacketEvents.nonIp(0x0806).skb(0xffff888004a41000L);
		FakePacketTrace trace = trace(droppedByNftables(), delivered(), droppedForNoSocket(),
				List.of(arp.at(FakePacketTrace.START + 6_000_000, "netif_receive_skb")));

		// WHEN / THEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).allPackets().hasCount(4));
	}

	@Test
	void should_call_the_filter_any_in_failures() {
		// GIVEN
		FakePacketTrace trace = trace(delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).allPackets().areNone())
				.withMessage("""

						Expecting packets matching:
						  any
						to see no packet
						but 1 did:
						  TIME        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
						  +2.000ms    0xffff888004a3d000 0   [swapper/0]        4026532001  eth0(12)       60    10.0.0.1:40001 > 10.0.0.2:9001 udp             netif_receive_skb
						  +2.100ms    0xffff888004a3d000 0   [swapper/0]        4026532001  eth0(12)       60    10.0.0.1:40001 > 10.0.0.2:9001 udp             skb_copy_datagram_iovec
						  +2.200ms    0xffff888004a3d000 0   [swapper/0]        4026532001  eth0(12)       60    10.0.0.1:40001 > 10.0.0.2:9001 udp             consume_skb
						  netns 4026532001 = server

						Traced 1 packet in netns server with the tracepoint backend (kprobes are disabled in this test).""");
	}

	@Test
	void should_fail_on_a_null_trace() {
		// GIVEN
		PacketTrace trace = null;

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).allPackets())
				.withMessage("""

						Expecting actual not to be null""");
	}
}
