package io.tracepackets.assertj;

import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.trace;
import static io.tracepackets.assertj.error.TraceShould.shouldNotHaveLostEvents;
import static org.assertj.core.api.BDDAssertions.then;
import static org.assertj.core.presentation.StandardRepresentation.STANDARD_REPRESENTATION;

import org.assertj.core.description.TextDescription;
import org.assertj.core.error.ErrorMessageFactory;
import org.junit.jupiter.api.Test;

class TraceShould_shouldNotHaveLostEvents_create_Test {

	@Test
	void should_create_error_message_naming_the_count_and_the_properties_to_raise() {
		// GIVEN
		FakePacketTrace trace = trace(delivered()).withLostEvents(42);
		ErrorMessageFactory factory = shouldNotHaveLostEvents(trace);

		// WHEN
		String message = factory.create(new TextDescription("Test"), STANDARD_REPRESENTATION);

		// THEN
		then(message).isEqualTo("""
				[Test]\s
				Expecting the trace to hold every event, but it lost:
				  42 events
				The ring buffer or the event store was full, so any assertion on this trace could be wrong.
				Raise -Dtracepackets.ringbuffer.bytes (ring buffer bytes) or -Dtracepackets.events.bytes (event store bytes), or send fewer packets.
				Counts lose nothing: assertThat(trace).drops().withReason(...).hasCount(n) and assertThat(trace).counts().at("net_dev_queue").hasCount(n) answer exactly from what the probes counted in the kernel.""");
	}
}
