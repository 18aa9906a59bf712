package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.FailureTexts.DELIVERED;
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

import io.tracepackets.PacketTrace;

import org.junit.jupiter.api.Test;

class PacketTraceAssert_packets_Test {

	@Test
	void should_narrow_the_assertions_to_the_packets_matching_the_filter() {
		// GIVEN two packets dropped, one delivered
		FakePacketTrace trace = trace(droppedByNftables(), delivered(), droppedForNoSocket());

		// WHEN / THEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9000)).wereDropped());
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9001)).wereNotDropped());
	}

	@Test
	void should_show_the_filter_and_only_the_matching_packets_in_failures() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables(), delivered(), droppedForNoSocket());

		// WHEN / THEN the other two packets were dropped too, and are not shown
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dst("10.0.0.2").dstPort(9001)).wereDropped())
				.withMessage("""

						Expecting packets matching:
						  udp and dst host 10.0.0.2 and dst port 9001
						to be dropped (lost)
						but 1 of 1 did not:
						""" + table(DELIVERED) + tracedInServer(3));
	}

	@Test
	void should_not_look_at_the_trace_before_an_assertion() {
		// GIVEN a trace that lost events
		FakePacketTrace trace = trace(delivered()).withLostEvents(1);

		// WHEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp()));

		// THEN neither flushed nor failed: that is the assertion's job
		then(trace.flushes()).isZero();
	}

	@Test
	void should_fail_on_a_null_trace() {
		// GIVEN
		PacketTrace trace = null;

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()))
				.withMessage("""

						Expecting actual not to be null""");
	}
}
