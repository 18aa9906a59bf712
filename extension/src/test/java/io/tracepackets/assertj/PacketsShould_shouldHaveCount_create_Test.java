package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.FailureTexts.DELIVERED;
import static io.tracepackets.assertj.FailureTexts.DROPPED_BY_NFTABLES;
import static io.tracepackets.assertj.FailureTexts.table;
import static io.tracepackets.assertj.FailureTexts.tracedInServer;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.droppedByNftables;
import static io.tracepackets.assertj.TracedPackets.trace;
import static io.tracepackets.assertj.error.PacketsShould.shouldHaveCount;
import static org.assertj.core.api.BDDAssertions.then;
import static org.assertj.core.presentation.StandardRepresentation.STANDARD_REPRESENTATION;

import java.util.List;

import org.assertj.core.description.TextDescription;
import org.assertj.core.error.ErrorMessageFactory;
import org.junit.jupiter.api.Test;

class PacketsShould_shouldHaveCount_create_Test {

	@Test
	void should_create_error_message_showing_the_paths_of_every_matching_packet() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables(), delivered());
		ErrorMessageFactory factory = shouldHaveCount(trace, udp(), 3, trace.paths());

		// WHEN
		String message = factory.create(new TextDescription("Test"), STANDARD_REPRESENTATION);

		// THEN
		then(message).isEqualTo("""
				[Test]\s
				Expecting exactly 3 packets matching:
				  udp
				but found 2:
				""" + table(DROPPED_BY_NFTABLES, DELIVERED) + tracedInServer(2));
	}

	@Test
	void should_create_error_message_saying_no_packet_matched() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables(), delivered());
		ErrorMessageFactory factory = shouldHaveCount(trace, tcp(), 2, List.of());

		// WHEN
		String message = factory.create(new TextDescription("Test"), STANDARD_REPRESENTATION);

		// THEN
		then(message).isEqualTo("""
				[Test]\s
				Expecting exactly 2 packets matching:
				  tcp
				but found 0:
				  (no packets)

				""" + tracedInServer(2));
	}
}
