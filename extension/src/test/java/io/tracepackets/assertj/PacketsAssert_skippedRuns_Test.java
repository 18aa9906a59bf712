package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.droppedByNftables;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

import org.junit.jupiter.api.Test;

/**
 * Probe runs the kernel skipped: answers hold on what was seen (the log says what was skipped),
 * hasNoLostEvents fails naming them apart from a full ring buffer.
 */
class PacketsAssert_skippedRuns_Test {

	@Test
	void should_pass_a_negative_on_what_was_seen_when_the_kernel_skipped_runs() {
		// GIVEN
		FakePacketTrace trace = trace(delivered()).withSkippedRuns(3);

		// WHEN / THEN the answer holds on what was seen (the log says what was skipped)
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(tcp()).areNone());
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp()).hasCount(1));
	}

	@Test
	void should_still_fail_a_negative_that_saw_its_packet() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables()).withSkippedRuns(3);

		// WHEN / THEN the packet was seen dropped: that holds whatever was skipped
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereNotDropped())
				.withMessageContaining("not to be dropped (lost)");
	}

	@Test
	void should_keep_a_positive_answer_true_when_runs_were_skipped() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables()).withSkippedRuns(3);

		// WHEN / THEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp()).wereDropped());
	}

	@Test
	void should_name_skipped_runs_apart_from_a_full_ring_buffer() {
		// GIVEN
		FakePacketTrace trace = trace(delivered()).withLostEvents(5).withSkippedRuns(2);

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).hasNoLostEvents())
				.withMessage("""

						Expecting the trace to hold every event, but it lost:
						  5 events (the ring buffer or the event store was full)
						  2 probe runs the kernel skipped (recursion, kprobe misses)
						A probe already running on a CPU is not run again there, and a kprobe that fires inside another's \
						handler is dropped: those events never were.
						Raise -Dtracepackets.ringbuffer.bytes (ring buffer bytes) or -Dtracepackets.max.events for the first; \
						send less at once, or probe fewer functions, for the second.""");
	}
}
