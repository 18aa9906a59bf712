package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.FailureTexts.DROPPED_BY_NFTABLES;
import static io.tracepackets.assertj.FailureTexts.DROPPED_FOR_NO_SOCKET;
import static io.tracepackets.assertj.FailureTexts.table;
import static io.tracepackets.assertj.FailureTexts.tracedInServer;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.droppedByNftables;
import static io.tracepackets.assertj.TracedPackets.droppedForNoSocket;
import static io.tracepackets.assertj.TracedPackets.trace;
import static io.tracepackets.assertj.error.PacketsShould.shouldNone;
import static org.assertj.core.api.BDDAssertions.then;
import static org.assertj.core.presentation.StandardRepresentation.STANDARD_REPRESENTATION;

import io.tracepackets.PacketPath;

import java.util.List;

import org.assertj.core.description.TextDescription;
import org.assertj.core.error.ErrorMessageFactory;
import org.junit.jupiter.api.Test;

class PacketsShould_shouldNone_create_Test {

	@Test
	void should_create_error_message_showing_the_paths_of_the_offending_packets() {
		// GIVEN two packets dropped, one delivered
		FakePacketTrace trace = trace(droppedByNftables(), delivered(), droppedForNoSocket());
		List<PacketPath> dropped = trace.paths().stream().filter(PacketPath::wasDropped).toList();
		ErrorMessageFactory factory = shouldNone(trace, udp(), "not to be dropped", dropped);

		// WHEN
		String message = factory.create(new TextDescription("Test"), STANDARD_REPRESENTATION);

		// THEN
		then(message).isEqualTo("""
				[Test]\s
				Expecting packets matching:
				  udp
				not to be dropped
				but 2 did:
				""" + table(DROPPED_BY_NFTABLES, DROPPED_FOR_NO_SOCKET) + tracedInServer(3));
	}
}
