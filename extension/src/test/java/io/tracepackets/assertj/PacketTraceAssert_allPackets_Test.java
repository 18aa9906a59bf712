package io.tracepackets.assertj;

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

import io.tracepackets.PacketEvents;
import io.tracepackets.PacketTrace;

import java.util.List;

import org.junit.jupiter.api.Test;

class PacketTraceAssert_allPackets_Test {

	@Test
	void should_match_every_packet_in_scope_whatever_its_protocol() {
		// GIVEN three UDP packets and an ARP request
		PacketEvents arp = PacketEvents.nonIp(0x0806).skb(0xffff888004a41000L);
		FakePacketTrace trace = trace(droppedByNftables(), delivered(), droppedForNoSocket(),
				List.of(arp.at(FakePacketTrace.START + 6_000_000, "netif_receive_skb")));

		// WHEN / THEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).allPackets().hasCount(4));
	}

	@Test
	void should_call_the_filter_any_in_failures() {
		// GIVEN
		FakePacketTrace trace = trace(delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).allPackets().areNone())
				.withMessage("""

						Expecting packets matching:
						  any
						to see no packet
						but 1 did:
						""" + table(DELIVERED) + tracedInServer(1));
	}

	@Test
	void should_fail_on_a_null_trace() {
		// GIVEN
		PacketTrace trace = null;

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).allPackets())
				.withMessage("""

						Expecting actual not to be null""");
	}
}
