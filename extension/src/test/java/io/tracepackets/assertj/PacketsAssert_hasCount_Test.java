package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.FailureTexts.DELIVERED;
import static io.tracepackets.assertj.FailureTexts.DROPPED_BY_NFTABLES;
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

class PacketsAssert_hasCount_Test {

	@Test
	void should_pass_after_a_flush_when_exactly_that_many_packets_match() {
		// GIVEN three UDP packets, one of them to port 53
		FakePacketTrace trace = trace(droppedByNftables(), delivered(), droppedForNoSocket());

		// WHEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp()).hasCount(3));
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(53)).hasCount(1));

		// THEN each count was taken after a flush, so a packet the reader had not handed over yet is counted
		then(trace.flushes()).isEqualTo(2);
	}

	@Test
	void should_pass_on_zero_when_no_packet_matches() {
		// GIVEN only UDP packets
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(tcp()).hasCount(0));
	}

	@Test
	void should_count_a_packet_that_came_only_at_the_flush() {
		// GIVEN the reader hands the second packet over at the flush
		FakePacketTrace trace = trace(droppedByNftables()).withLateEvents(delivered());

		// WHEN / THEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp()).hasCount(2));
	}

	@Test
	void should_fail_showing_every_matching_packet_when_there_are_more() {
		// GIVEN two UDP packets
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).hasCount(1))
				.withMessage("""

						Expecting exactly 1 packets matching:
						  udp
						but found 2:
						""" + table(DROPPED_BY_NFTABLES, DELIVERED) + tracedInServer(2));
	}

	@Test
	void should_fail_showing_the_matching_packets_when_there_are_fewer() {
		// GIVEN one packet to port 53
		FakePacketTrace trace = trace(droppedByNftables(), droppedForNoSocket());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(53)).hasCount(2))
				.withMessage("""

						Expecting exactly 2 packets matching:
						  udp and dst port 53
						but found 1:
						""" + table(DROPPED_FOR_NO_SOCKET) + tracedInServer(2));
	}

	@Test
	void should_fail_saying_so_when_no_packet_matches() {
		// GIVEN only UDP packets
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp().dstPort(9000)).hasCount(1))
				.withMessage("""

						Expecting exactly 1 packets matching:
						  tcp and dst port 9000
						but found 0:
						  (no packets)

						""" + tracedInServer(2));
	}

	@Test
	void should_fail_on_lost_events_even_when_the_count_is_right() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables()).withLostEvents(2);

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).hasCount(1))
				.withMessage(lostEvents(2));
	}
}
