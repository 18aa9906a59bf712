package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.FailureTexts.DROPPED_BY_NFTABLES;
import static io.tracepackets.assertj.FailureTexts.RECEIVED_BY_THE_STACK_ONLY;
import static io.tracepackets.assertj.FailureTexts.lostEvents;
import static io.tracepackets.assertj.FailureTexts.table;
import static io.tracepackets.assertj.FailureTexts.tracedInServer;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.deliveredToSocket;
import static io.tracepackets.assertj.TracedPackets.droppedByNftables;
import static io.tracepackets.assertj.TracedPackets.receivedByTheStackOnly;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.BDDAssertions.then;

import org.junit.jupiter.api.Test;

class PacketsAssert_wereDelivered_Test {

	private static final FakeProbeCatalog WITH_SOCKET_HOOK = FakeProbeCatalog.withSocketReceive();

	/** The failure on droppedByNftables() and delivered(), whether the drop came at once or late. */
	private static final String THE_NFTABLES_DROP_WAS_NOT_DELIVERED = """

			Expecting packets matching:
			  udp
			to be delivered (received by the stack or a socket, not lost)
			but 1 of 2 did not:
			""" + table(DROPPED_BY_NFTABLES) + tracedInServer(2);

	@Test
	void should_pass_after_a_flush_when_the_stack_received_every_matching_packet_on_a_kernel_without_the_socket_hook() {
		// GIVEN a packet read by its socket, and one only the stack took in: without the hook, both count
		FakePacketTrace trace = trace(delivered(), receivedByTheStackOnly());

		// WHEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp()).wereDelivered());

		// THEN checked again after a flush, since a drop may come late
		then(trace.flushes()).isEqualTo(1);
	}

	@Test
	void should_fail_showing_the_dropped_packets_on_a_kernel_without_the_socket_hook() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereDelivered())
				.withMessage(THE_NFTABLES_DROP_WAS_NOT_DELIVERED);
	}

	@Test
	void should_pass_after_a_flush_when_a_socket_accepted_every_matching_packet_on_a_kernel_with_the_socket_hook() {
		// GIVEN
		FakePacketTrace trace = trace(WITH_SOCKET_HOOK, deliveredToSocket(), receivedByTheStackOnly());

		// WHEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9002)).wereDelivered());

		// THEN
		then(trace.flushes()).isEqualTo(1);
	}

	@Test
	void should_fail_on_a_packet_no_socket_accepted_on_a_kernel_with_the_socket_hook() {
		// GIVEN the same packet that passes without the hook: the stack took it in, no socket did
		FakePacketTrace trace = trace(WITH_SOCKET_HOOK, deliveredToSocket(), receivedByTheStackOnly());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereDelivered())
				.withMessage("""

						Expecting packets matching:
						  udp
						to be delivered to a socket (socket_receive, not lost)
						but 1 of 2 did not:
						""" + table(RECEIVED_BY_THE_STACK_ONLY) + tracedInServer(2));
	}

	@Test
	void should_fail_on_a_drop_that_came_only_at_the_flush() {
		// GIVEN a delivered packet, and a drop the reader hands over at the flush
		FakePacketTrace trace = trace(delivered()).withLateEvents(droppedByNftables());

		// WHEN / THEN the second look, after the flush, sees it
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereDelivered())
				.withMessage(THE_NFTABLES_DROP_WAS_NOT_DELIVERED);
	}

	@Test
	void should_fail_when_the_trace_has_no_matching_packet() {
		// GIVEN no TCP packet: "delivered" must not pass on traffic that never came
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp()).wereDelivered())
				.withMessage("""

						Expecting packets matching:
						  tcp
						to be delivered (received by the stack or a socket, not lost)
						but the trace has no such packet.
						""" + tracedInServer(2));
	}

	@Test
	void should_fail_on_lost_events_as_a_drop_may_be_among_them() {
		// GIVEN
		FakePacketTrace trace = trace(delivered()).withLostEvents(7);

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereDelivered())
				.withMessage(lostEvents(7));
	}
}
