package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.FailureTexts.DELIVERED;
import static io.tracepackets.assertj.FailureTexts.DROPPED_BY_NFTABLES;
import static io.tracepackets.assertj.FailureTexts.lostEvents;
import static io.tracepackets.assertj.FailureTexts.table;
import static io.tracepackets.assertj.FailureTexts.tracedInServer;
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
						""" + table(DELIVERED) + tracedInServer(1));
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
						""" + table(DROPPED_BY_NFTABLES) + tracedInServer(2));
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
						""" + tracedInServer(2));
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
				.withMessage(lostEvents(4));
	}
}
