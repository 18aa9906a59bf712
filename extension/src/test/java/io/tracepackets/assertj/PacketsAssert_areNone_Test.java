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

class PacketsAssert_areNone_Test {

	@Test
	void should_pass_after_a_flush_when_no_packet_matches() {
		// GIVEN only UDP packets
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(tcp()).areNone());

		// THEN a negative assertion first proves the reader is not late
		then(trace.flushes()).isEqualTo(1);
	}

	@Test
	void should_fail_showing_the_matching_packets_only() {
		// GIVEN three UDP packets, one of them to port 53
		FakePacketTrace trace = trace(droppedByNftables(), delivered(), droppedForNoSocket());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().src("10.0.0.1").dstPort(53)).areNone())
				.withMessage("""

						Expecting packets matching:
						  udp and src host 10.0.0.1 and dst port 53
						to see no packet
						but 1 did:
						""" + table(DROPPED_FOR_NO_SOCKET) + tracedInServer(3));
	}

	@Test
	void should_fail_on_a_packet_that_came_only_at_the_flush() {
		// GIVEN the reader hands the only packet over at the flush
		FakePacketTrace trace = trace().withLateEvents(droppedForNoSocket());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(53)).areNone())
				.withMessage("""

						Expecting packets matching:
						  udp and dst port 53
						to see no packet
						but 1 did:
						""" + table(DROPPED_FOR_NO_SOCKET) + tracedInServer(1));
	}

	@Test
	void should_fail_on_lost_events_as_a_matching_packet_may_be_among_them() {
		// GIVEN no TCP packet seen, but events lost
		FakePacketTrace trace = trace(delivered()).withLostEvents(1);

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp()).areNone())
				.withMessage(lostEvents(1));
	}
}
