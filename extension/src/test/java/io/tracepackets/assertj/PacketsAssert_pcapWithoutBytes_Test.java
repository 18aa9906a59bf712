package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.pcap;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import org.junit.jupiter.api.Test;

/** A pcap(...) filter on a trace without packet bytes can see nothing: it says so, never passes. */
class PacketsAssert_pcapWithoutBytes_Test {

	@Test
	void should_fail_a_negative_on_a_trace_without_packet_bytes_saying_how_to_capture_them() {
		// GIVEN a datagram to 9000, traced without its bytes
		FakePacketTrace trace = trace(delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(pcap("udp dst port 9000")).areNone())
				.withMessage("""

						Expecting packets matching:
						  pcap "udp dst port 9000" on captured bytes
						but that filter runs on packet bytes, and none of the 1 packets traced carries any:
						no packet could match, so the assertion could tell nothing.
						Capture bytes with @TracePackets(snapLength = 128) or -Dtracepackets.snap.length=128, \
						or filter on the event's fields (udp().dstPort(...)), which need no bytes.""");
	}

	@Test
	void should_fail_a_count_the_same_way() {
		// GIVEN
		FakePacketTrace trace = trace(delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(pcap("udp").and(e -> true, "any")).hasCount(1))
				.withMessageContaining("that filter runs on packet bytes");
	}
}
