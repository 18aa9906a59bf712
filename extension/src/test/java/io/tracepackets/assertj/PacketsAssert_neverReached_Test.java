package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.droppedByNftables;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.BDDAssertions.then;

import org.junit.jupiter.api.Test;

class PacketsAssert_neverReached_Test {

	@Test
	void should_pass_after_a_flush_when_no_matching_packet_reached_it() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9000))
				.neverReached("skb_copy_datagram_iovec"));

		// THEN
		then(trace.flushes()).isEqualTo(1);
	}

	@Test
	void should_fail_showing_the_packets_that_reached_it() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).neverReached("consume_skb"))
				.withMessage("""

						Expecting packets matching:
						  udp
						never to reach consume_skb
						but 1 did:
						  TIME        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
						  +2.000ms    0xffff888004a3d000 0   [swapper/0]        4026532001  eth0(12)       60    10.0.0.1:40001 > 10.0.0.2:9001 udp             netif_receive_skb
						  +2.100ms    0xffff888004a3d000 0   [swapper/0]        4026532001  eth0(12)       60    10.0.0.1:40001 > 10.0.0.2:9001 udp             skb_copy_datagram_iovec
						  +2.200ms    0xffff888004a3d000 0   [swapper/0]        4026532001  eth0(12)       60    10.0.0.1:40001 > 10.0.0.2:9001 udp             consume_skb
						  netns 4026532001 = server

						Traced 2 packets in netns server with the tracepoint backend (kprobes are disabled in this test).""");
	}

	@Test
	void should_fail_when_the_trace_has_no_matching_packet() {
		// GIVEN no TCP packet: "never reached" must not pass on traffic that never came
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp()).neverReached("skb_copy_datagram_iovec"))
				.withMessage("""

						Expecting packets matching:
						  tcp
						never to reach skb_copy_datagram_iovec
						but the trace has no such packet.
						Traced 2 packets in netns server with the tracepoint backend (kprobes are disabled in this test).""");
	}
}
