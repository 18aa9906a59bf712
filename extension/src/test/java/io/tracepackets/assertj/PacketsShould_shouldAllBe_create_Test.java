package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.anyPacket;
import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.FailureTexts.DELIVERED;
import static io.tracepackets.assertj.FailureTexts.table;
import static io.tracepackets.assertj.FailureTexts.tracedInServer;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.droppedByNftables;
import static io.tracepackets.assertj.TracedPackets.trace;
import static io.tracepackets.assertj.error.PacketsShould.shouldAllBe;
import static org.assertj.core.api.BDDAssertions.then;
import static org.assertj.core.presentation.StandardRepresentation.STANDARD_REPRESENTATION;

import io.tracepackets.PacketPath;

import java.util.List;

import org.assertj.core.description.TextDescription;
import org.assertj.core.error.ErrorMessageFactory;
import org.junit.jupiter.api.Test;

class PacketsShould_shouldAllBe_create_Test {

	@Test
	void should_create_error_message_showing_the_paths_of_the_packets_that_did_not() {
		// GIVEN one packet dropped, one delivered
		FakePacketTrace trace = trace(droppedByNftables(), delivered());
		ErrorMessageFactory factory = shouldAllBe(trace, udp(), "to be dropped", trace.paths(), PacketPath::wasDropped);

		// WHEN
		String message = factory.create(new TextDescription("Test"), STANDARD_REPRESENTATION);

		// THEN
		then(message).isEqualTo("""
				[Test]\s
				Expecting packets matching:
				  udp
				to be dropped
				but 1 of 2 did not:
				""" + table(DELIVERED) + tracedInServer(2));
	}

	@Test
	void should_create_error_message_saying_the_trace_has_no_matching_packet() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables(), delivered());
		ErrorMessageFactory factory = shouldAllBe(trace, tcp().dstPort(443), "to be dropped", List.of(),
				PacketPath::wasDropped);

		// WHEN
		String message = factory.create(new TextDescription("Test"), STANDARD_REPRESENTATION);

		// THEN
		then(message).isEqualTo("""
				[Test]\s
				Expecting packets matching:
				  tcp and dst port 443
				to be dropped
				but the trace has no such packet.
				""" + tracedInServer(2));
	}

	@Test
	void should_create_error_message_saying_how_to_scope_a_trace_of_no_netns() {
		// GIVEN a trace scoped to nothing, so it saw nothing
		FakePacketTrace trace = new FakePacketTrace(List.of());
		ErrorMessageFactory factory = shouldAllBe(trace, anyPacket(), "to be dropped", List.of(),
				PacketPath::wasDropped);

		// WHEN
		String message = factory.create(new TextDescription("Test"), STANDARD_REPRESENTATION);

		// THEN
		then(message).isEqualTo("""
				[Test]\s
				Expecting packets matching:
				  any
				to be dropped
				but the trace has no such packet.
				Traced 0 packets in netns (none: scope the trace to a container or netns) with the tracepoint backend (kprobes are disabled in this test).""");
	}

	@Test
	void should_keep_percent_signs_in_the_filter_and_the_expectation_as_they_are() {
		// GIVEN free text with format specifiers in it
		FakePacketTrace trace = trace(delivered());
		ErrorMessageFactory factory = shouldAllBe(trace, udp().and(event -> true, "100% of %s"), "to be 50%d dropped",
				List.of(), PacketPath::wasDropped);

		// WHEN
		String message = factory.create(new TextDescription("Test"), STANDARD_REPRESENTATION);

		// THEN
		then(message).isEqualTo("""
				[Test]\s
				Expecting packets matching:
				  udp and 100% of %s
				to be 50%d dropped
				but the trace has no such packet.
				""" + tracedInServer(1));
	}
}
