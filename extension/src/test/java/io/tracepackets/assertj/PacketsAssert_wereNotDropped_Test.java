package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.FailureTexts.DROPPED_FOR_NO_SOCKET;
import static io.tracepackets.assertj.FailureTexts.lostEvents;
import static io.tracepackets.assertj.FailureTexts.table;
import static io.tracepackets.assertj.FailureTexts.tracedInServer;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.droppedByNftables;
import static io.tracepackets.assertj.TracedPackets.droppedForNoSocket;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.BDDAssertions.then;

import org.junit.jupiter.api.Test;

class PacketsAssert_wereNotDropped_Test {

	@Test
	void should_pass_when_no_matching_packet_was_dropped_after_a_flush() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9001)).wereNotDropped());

		// THEN a negative assertion first proves the reader is not late
		then(trace.flushes()).isEqualTo(1);
	}

	@Test
	void should_fail_showing_only_the_dropped_packets() {
		// GIVEN two packets dropped, one delivered
		FakePacketTrace trace = trace(droppedByNftables(), delivered(), droppedForNoSocket());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(53)).wereNotDropped())
				.withMessage("""

						Expecting packets matching:
						  udp and dst port 53
						not to be dropped (lost)
						but 1 did:
						""" + table(DROPPED_FOR_NO_SOCKET) + tracedInServer(3));
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereNotDropped())
				.withMessageStartingWith("""

						Expecting packets matching:
						  udp
						not to be dropped (lost)
						but 2 did:
						""")
				.withMessageNotContaining("skb_copy_datagram_iovec");
	}

	@Test
	void should_fail_when_the_trace_has_no_matching_packet() {
		// GIVEN no TCP packet at all: "not dropped" must not pass on traffic that never came
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp().dstPort(9002)).wereNotDropped())
				.withMessage("""

						Expecting packets matching:
						  tcp and dst port 9002
						not to be dropped (lost)
						but the trace has no such packet.
						""" + tracedInServer(2));
	}

	@Test
	void should_fail_on_lost_events_as_a_drop_may_be_among_them() {
		// GIVEN
		FakePacketTrace trace = trace(delivered()).withLostEvents(1);

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9001)).wereNotDropped())
				.withMessage(lostEvents(1));
	}
}
