package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.FailureTexts.DELIVERED;
import static io.tracepackets.assertj.FailureTexts.table;
import static io.tracepackets.assertj.FailureTexts.tracedInServer;
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
						""" + table(DELIVERED) + tracedInServer(2));
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
						""" + tracedInServer(2));
	}
}
