package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.droppedByNftables;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.tracepackets.TracingUnavailableException;
import org.junit.jupiter.api.Test;

/**
 * Probe runs the kernel skipped: a negative answer is unsure (the test is skipped with the count,
 * failed in strict mode), a positive one still holds, hasNoLostEvents fails naming them apart.
 */
class PacketsAssert_skippedRuns_Test {

	@Test
	void should_not_give_a_sure_negative_when_the_kernel_skipped_runs() {
		// GIVEN
		FakePacketTrace trace = trace(delivered()).withSkippedRuns(3);

		// WHEN / THEN
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp()).areNone())
				.withMessage("a sure answer to areNone() unavailable: the kernel skipped 3 probe runs while the trace was"
						+ " open (a probe already running on that CPU, or a kprobe inside another's handler), so a packet"
						+ " may have passed unseen; this negative assertion held on what was seen. Send less at once, or"
						+ " narrow the functions probed");
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereNotDropped())
				.withMessageStartingWith("a sure answer to packets not to be dropped (lost) unavailable:");
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).hasCount(1));
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> assertThat(trace).journeys(udp()).hasCount(1));
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
