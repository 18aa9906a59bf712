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
 * Probe runs the kernel skipped: a negative whose answer rests on a probe that skipped runs cannot
 * answer (TracingUnavailableException: skipped, failed in strict mode); skips at other probes are
 * logged and the answer holds on what was seen; hasNoLostEvents fails naming them apart from a
 * full ring buffer.
 */
class PacketsAssert_skippedRuns_Test {

	@Test
	void should_refuse_a_negative_about_a_point_whose_probe_skipped_runs() {
		// GIVEN the socket-read tracepoint's probe skipped a run
		FakePacketTrace trace = trace(droppedByNftables(), delivered()).withSkippedRuns(1, "skb_copy_datagram_iovec");

		// WHEN / THEN "never reached skb_copy_datagram_iovec" may be wrong: it says so instead of passing
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9000)).neverReached("skb_copy_datagram_iovec"))
				.withMessage("a sure answer to packets never to reach skb_copy_datagram_iovec unavailable: the kernel"
						+ " skipped 1 probe run of the probes at skb_copy_datagram_iovec while the trace was open (a probe"
						+ " already running on that CPU, or a kprobe inside another's handler): the event it says did not"
						+ " happen may have been one; send less at once, or probe fewer functions");
	}

	@Test
	void should_refuse_a_drop_negative_when_the_drop_probe_skipped_runs() {
		// GIVEN the kfree_skb tracepoint skipped two runs
		FakePacketTrace trace = trace(delivered()).withSkippedRuns(2, "kfree_skb");

		// WHEN / THEN
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereNotDropped())
				.withMessageContaining("the kernel skipped 2 probe runs of the probes at kfree_skb");
	}

	@Test
	void should_refuse_a_packet_negative_when_a_tracepoint_skipped_runs() {
		// GIVEN a run of the tracepoint every received packet meets was skipped
		FakePacketTrace trace = trace(delivered()).withSkippedRuns(1, "netif_receive_skb");

		// WHEN / THEN a whole packet may be missing: neither "none" nor an exact count can be sure
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp()).areNone())
				.withMessageContaining("at the tracepoints every packet meets");
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).hasCount(1))
				.withMessageStartingWith("a sure answer to hasCount(1) unavailable");
	}

	@Test
	void should_answer_on_what_was_seen_when_runs_were_skipped_at_other_probes() {
		// GIVEN runs skipped at a function no assertion below rests on
		FakePacketTrace trace = trace(droppedByNftables(), delivered()).withSkippedRuns(3, "tcp_v4_rcv");

		// WHEN / THEN each skip hid an event of a packet the tracepoints still show (the log says so)
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(tcp()).areNone());
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9001)).hasCount(1));
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9001)).wereNotDropped());
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9000))
				.neverReached("skb_copy_datagram_iovec"));
	}

	@Test
	void should_still_fail_a_negative_that_saw_its_packet() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables()).withSkippedRuns(3, "kfree_skb");

		// WHEN / THEN the packet was seen dropped: that holds whatever was skipped
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereNotDropped())
				.withMessageContaining("not to be dropped (lost)");
	}

	@Test
	void should_keep_a_positive_answer_true_when_runs_were_skipped() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables()).withSkippedRuns(3, "kfree_skb");

		// WHEN / THEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp()).wereDropped());
	}

	@Test
	void should_name_skipped_runs_apart_from_a_full_ring_buffer() {
		// GIVEN
		FakePacketTrace trace = trace(delivered()).withLostEvents(5).withSkippedRuns(2, "ip_rcv");

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).hasNoLostEvents())
				.withMessage("""

						Expecting the trace to hold every event, but it lost:
						  5 events (the ring buffer or the event store was full)
						  2 probe runs the kernel skipped (recursion, kprobe misses)
						A probe already running on a CPU is not run again there, and a kprobe that fires inside another's \
						handler is dropped: those events never were.
						Raise -Dtracepackets.ringbuffer.bytes (ring buffer bytes) or -Dtracepackets.events.bytes (event store bytes) for the first; \
						send less at once, or probe fewer functions, for the second.
						Counts lose nothing: assertThat(trace).drops().withReason(...).hasCount(n) and \
						assertThat(trace).counts().at("net_dev_queue").hasCount(n) answer exactly from what the probes \
						counted in the kernel.""");
	}
}
