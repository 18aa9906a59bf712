package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
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

class PacketsAssert_reached_Test {

	@Test
	void should_pass_when_every_matching_packet_reached_the_tracepoint() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp()).reached("netif_receive_skb"));
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9001))
				.reached("skb_copy_datagram_iovec")
				.reached("consume_skb"));
	}

	@Test
	void should_fail_showing_the_packets_that_did_not_reach_it() {
		// GIVEN the dropped packet never reached a socket
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).reached("skb_copy_datagram_iovec"))
				.withMessage("""

						Expecting packets matching:
						  udp
						to reach skb_copy_datagram_iovec
						but 1 of 2 did not:
						""" + table(DROPPED_BY_NFTABLES) + tracedInServer(2));
	}

	@Test
	void should_fail_when_the_trace_has_no_matching_packet() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp()).reached("netif_receive_skb"))
				.withMessage("""

						Expecting packets matching:
						  tcp
						to reach netif_receive_skb
						but the trace has no such packet.
						""" + tracedInServer(2));
	}

	@Test
	void should_suggest_names_for_a_name_the_kernel_does_not_have() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).reached("netif_recieve_skb"))
				.withMessage("""

						Expecting a kernel function or tracepoint, but the running kernel has none called:
						  netif_recieve_skb
						Did you mean:
						  netif_receive_skb""");
	}

	@Test
	void should_say_so_when_nothing_is_near_an_unknown_name() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).reached("qqqqqqqqqqqq"))
				.withMessage("""

						Expecting a kernel function or tracepoint, but the running kernel has none called:
						  qqqqqqqqqqqq
						""");
	}

	@Test
	void should_refuse_to_answer_when_the_backend_cannot_see_a_kernel_function() {
		// GIVEN ip_local_deliver exists, but the tracepoint backend has no probe on it
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN tracing is unavailable (the extension skips, or fails in strict mode) rather
		// than a false "not reached"
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).reached("ip_local_deliver"))
				.withMessage("ip_local_deliver unavailable: it is a kernel function, but the tracepoint backend does not"
						+ " see it (kprobes are disabled in this test)");
	}

	@Test
	void should_refuse_to_answer_when_the_backend_cannot_see_the_socket_hook() {
		// GIVEN a kernel without the socket_receive hook
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).neverReached("socket_receive"))
				.withMessage("socket_receive unavailable: it is a hook, but the tracepoint backend does not see it"
						+ " (kprobes are disabled in this test)");
	}

	@Test
	void should_fail_on_lost_events() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables(), delivered()).withLostEvents(1_000);

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).reached("netif_receive_skb"))
				.withMessage(lostEvents(1000));
	}
}
