package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.droppedByNftables;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.tracepackets.TracingUnavailableException;

import org.junit.jupiter.api.Test;

class PacketsAssert_passedThrough_Test {

	@Test
	void should_pass_when_every_matching_packet_passed_through_the_names_in_order() {
		// GIVEN a packet seen at netif_receive_skb, skb_copy_datagram_iovec, consume_skb
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN other events may come between
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9001))
				.passedThrough("netif_receive_skb", "skb_copy_datagram_iovec", "consume_skb"));
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp())
				.passedThrough("netif_receive_skb"));
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9001))
				.passedThrough("netif_receive_skb", "consume_skb"));
	}

	@Test
	void should_fail_showing_the_packets_that_passed_in_another_order() {
		// GIVEN
		FakePacketTrace trace = trace(delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).passedThrough("consume_skb", "netif_receive_skb"))
				.withMessage("""

						Expecting packets matching:
						  udp
						to pass through consume_skb → netif_receive_skb in order
						but 1 of 1 did not:
						  TIME        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
						  +2.000ms    0xffff888004a3d000 0   [swapper/0]        4026532001  eth0(12)       60    10.0.0.1:40001 > 10.0.0.2:9001 udp             netif_receive_skb
						  +2.100ms    0xffff888004a3d000 0   [swapper/0]        4026532001  eth0(12)       60    10.0.0.1:40001 > 10.0.0.2:9001 udp             skb_copy_datagram_iovec
						  +2.200ms    0xffff888004a3d000 0   [swapper/0]        4026532001  eth0(12)       60    10.0.0.1:40001 > 10.0.0.2:9001 udp             consume_skb
						  netns 4026532001 = server

						Traced 1 packet in netns server with the tracepoint backend (kprobes are disabled in this test).""");
	}

	@Test
	void should_fail_showing_the_packets_that_missed_a_name() {
		// GIVEN the dropped packet never reached skb_copy_datagram_iovec
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp())
						.passedThrough("netif_receive_skb", "skb_copy_datagram_iovec"))
				.withMessage("""

						Expecting packets matching:
						  udp
						to pass through netif_receive_skb → skb_copy_datagram_iovec in order
						but 1 of 2 did not:
						  TIME        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
						  +1.500ms    0xffff888004a3c000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             netif_receive_skb
						  +1.600ms    0xffff888004a3c000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             kfree_skb NETFILTER_DROP (lost) at nft_do_chain+0x2f1 [nf_tables]
						  lost: NETFILTER_DROP: dropped by a netfilter rule or policy
						    a netfilter rule or chain policy dropped it (iptables/nftables)
						  netns 4026532001 = server

						Traced 2 packets in netns server with the tracepoint backend (kprobes are disabled in this test).""");
	}

	@Test
	void should_fail_when_the_trace_has_no_matching_packet() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp()).passedThrough("netif_receive_skb", "consume_skb"))
				.withMessage("""

						Expecting packets matching:
						  tcp
						to pass through netif_receive_skb → consume_skb in order
						but the trace has no such packet.
						Traced 2 packets in netns server with the tracepoint backend (kprobes are disabled in this test).""");
	}

	@Test
	void should_suggest_names_for_any_name_the_kernel_does_not_have() {
		// GIVEN
		FakePacketTrace trace = trace(delivered());

		// WHEN / THEN the second name is checked too
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).passedThrough("netif_receive_skb", "consume_skbb"))
				.withMessage("""

						Expecting a kernel function or tracepoint, but the running kernel has none called:
						  consume_skbb
						Did you mean:
						  consume_skb""");
	}

	@Test
	void should_refuse_to_answer_when_the_backend_cannot_see_a_name() {
		// GIVEN ip_local_deliver exists, but the tracepoint backend has no probe on it
		FakePacketTrace trace = trace(delivered());

		// WHEN / THEN tracing is unavailable rather than a false "did not pass through"
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> assertThat(trace).packets(udp())
						.passedThrough("netif_receive_skb", "ip_local_deliver", "consume_skb"))
				.withMessage("ip_local_deliver unavailable: it is a kernel function, but the tracepoint backend does not"
						+ " see it (kprobes are disabled in this test)");
	}

	@Test
	void should_fail_on_lost_events() {
		// GIVEN
		FakePacketTrace trace = trace(delivered()).withLostEvents(4);

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).passedThrough("netif_receive_skb", "consume_skb"))
				.withMessage("""

						Expecting the trace to hold every event, but it lost:
						  4 events
						The ring buffer or the event store was full, so any assertion on this trace could be wrong.
						Raise -Dtracepackets.ringbuffer.bytes (ring buffer bytes) or -Dtracepackets.max.events, or send fewer packets.""");
	}
}
