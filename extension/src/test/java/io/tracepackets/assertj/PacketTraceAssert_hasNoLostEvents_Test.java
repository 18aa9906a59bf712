package io.tracepackets.assertj;

import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.BDDAssertions.then;

import io.tracepackets.PacketTrace;

import org.junit.jupiter.api.Test;

class PacketTraceAssert_hasNoLostEvents_Test {

	@Test
	void should_pass_after_a_flush_when_nothing_was_lost() {
		// GIVEN
		FakePacketTrace trace = trace(delivered());

		// WHEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).hasNoLostEvents());

		// THEN
		then(trace.flushes()).isEqualTo(1);
	}

	@Test
	void should_fail_naming_the_count_and_the_properties_to_raise() {
		// GIVEN
		FakePacketTrace trace = trace(delivered()).withLostEvents(12_345);

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).hasNoLostEvents())
				.withMessage("""

						Expecting the trace to hold every event, but it lost:
						  12345 events
						The ring buffer or the event store was full, so any assertion on this trace could be wrong.
						Raise -Dtracepackets.ringbuffer.bytes (ring buffer bytes) or -Dtracepackets.events.bytes (event store bytes), or send fewer packets.
						Counts lose nothing: assertThat(trace).drops().withReason(...).hasCount(n) and assertThat(trace).counts().at("net_dev_queue").hasCount(n) answer exactly from what the probes counted in the kernel.""");
	}

	@Test
	void should_fail_on_a_null_trace() {
		// GIVEN
		PacketTrace trace = null;

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).hasNoLostEvents())
				.withMessage("""

						Expecting actual not to be null""");
	}
}
