package io.tracepackets.assertj;

import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.trace;
import static io.tracepackets.assertj.error.TraceShould.shouldNotHaveLostEvents;
import static org.assertj.core.api.BDDAssertions.then;
import static org.assertj.core.presentation.StandardRepresentation.STANDARD_REPRESENTATION;

import org.assertj.core.description.TextDescription;
import org.junit.jupiter.api.Test;

class TraceShould_shouldNotHaveOverflowedTheEventStore_create_Test {

	@Test
	void should_name_the_budget_what_the_trace_needed_and_what_narrows_it() {
		// GIVEN a trace whose store budget (4 MiB) was used up: it needed 97.3 MiB
		FakePacketTrace trace = trace(delivered()).withStoreOverflow(1_150_000, 4L << 20, 102_000_000);

		// WHEN
		String message = shouldNotHaveLostEvents(trace).create(new TextDescription("Test"), STANDARD_REPRESENTATION);

		// THEN
		then(message).isEqualTo("""
				[Test]\s
				Expecting the trace to hold every event, but it lost:
				  1150000 events the event store had no room for
				The event store's budget, -Dtracepackets.events.bytes=4194304 (4 MiB), was used up: this trace needed \
				97.3 MiB for its events. Any assertion on its packets and paths could be wrong.
				Trace less: a pcap filter keeps only the packets the test asks about (@TracePackets(filter = "udp port 53")), \
				fewer functions keep fewer events per packet (@TracePackets(functions = "ip_rcv|udp_rcv")), no packet bytes \
				keep each event small (snapLength = 0); or raise -Dtracepackets.events.bytes to 102760448 or more, or send \
				fewer packets.
				Counts lose nothing: assertThat(trace).drops().withReason(...).hasCount(n) and \
				assertThat(trace).counts().at("net_dev_queue").hasCount(n) answer exactly from what the probes counted \
				in the kernel.""");
	}

	@Test
	void should_tell_the_ring_buffer_s_losses_and_the_skipped_runs_apart_from_the_store_s() {
		// GIVEN a trace that lost 30 events in the ring buffer besides 1000 the store had no room for, and skipped 2 runs
		FakePacketTrace trace = trace(delivered()).withLostEvents(30).withSkippedRuns(2, "kfree_skb")
				.withStoreOverflow(1000, 1L << 20, 3L << 20);

		// WHEN
		String message = shouldNotHaveLostEvents(trace).create(new TextDescription("Test"), STANDARD_REPRESENTATION);

		// THEN
		then(message).contains("""
				  1000 events the event store had no room for
				  30 events the ring buffer had no room for (raise -Dtracepackets.ringbuffer.bytes)
				  2 probe runs the kernel skipped (recursion, kprobe misses)
				The event store's budget, -Dtracepackets.events.bytes=1048576 (1 MiB), was used up: this trace needed \
				3 MiB for its events.""")
				.contains("raise -Dtracepackets.events.bytes to 3145728 or more");
	}
}
