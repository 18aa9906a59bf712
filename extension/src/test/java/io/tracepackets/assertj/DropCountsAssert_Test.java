package io.tracepackets.assertj;

import static io.tracepackets.DropReason.NETFILTER_DROP;
import static io.tracepackets.DropReason.NO_SOCKET;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.tracepackets.DropCount;
import io.tracepackets.DropKind;
import io.tracepackets.DropReason;
import io.tracepackets.KernelCounts;
import io.tracepackets.TracingUnavailableException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DropCountsAssert_Test {

	private static final long SERVER = 4026532253L;
	private static final long CLIENT = 4026532190L;

	/** A flood of 376,000 datagrams to a closed port, and two drops of another kind: counts of a load test. */
	private static KernelCounts flood() {
		return KernelCounts.of(Map.of("net_dev_queue", 376_000L, "netif_receive_skb", 376_002L, "kfree_skb", 376_002L),
				List.of(new DropCount(SERVER, NO_SOCKET, DropKind.LOST, "udp_rcv+0x5f8", 376_000),
						new DropCount(CLIENT, NETFILTER_DROP, DropKind.LOST, "nft_do_chain+0x46f", 1),
						new DropCount(SERVER, DropReason.named("QUEUE_PURGE"), DropKind.DISCARDED_AFTER_DELIVERY,
								"ip_local_deliver+0x10", 1)),
				0);
	}

	@Test
	void should_answer_from_the_counts_when_the_trace_lost_events() {
		// GIVEN a trace that lost a million events of the flood
		FakePacketTrace trace = trace(delivered()).withCounts(flood()).withLostEvents(1_043_065);

		// WHEN / THEN the counts answer exactly, narrowed any way
		assertThatNoException().isThrownBy(() -> {
			assertThat(trace).drops().hasCount(376_002);
			assertThat(trace).drops().withReason(NO_SOCKET).hasCount(376_000);
			assertThat(trace).drops().withReason(NO_SOCKET).atLocation("udp_rcv").inNamespace(SERVER).hasCount(376_000);
			assertThat(trace).drops().ofKind(DropKind.LOST).hasCount(376_001);
			assertThat(trace).drops().withReason(NETFILTER_DROP).inNamespace(SERVER).isZero();
			assertThat(trace).counts().drops().withReason(NETFILTER_DROP).isAtLeast(1);
		});
	}

	@Test
	void should_fail_showing_every_count_and_that_the_counts_lost_nothing() {
		// GIVEN
		FakePacketTrace trace = trace(delivered()).withCounts(flood())
				.withLostEvents(1_043_065);

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).drops().withReason(NO_SOCKET).hasCount(376_001))
				.withMessage("""

						Expecting the kernel's count of:
						  drops with reason NO_SOCKET
						to be exactly:
						  376001
						but it counted:
						  376000
						Counted in the kernel in the trace's scope since it opened (exact: every event the probes saw, \
						whatever the ring buffer kept):
						         376,002  kfree_skb
						         376,002  netif_receive_skb
						         376,000  net_dev_queue
						         376,000  kfree_skb NO_SOCKET (lost) at udp_rcv+0x5f8, netns 4026532253
						               1  kfree_skb NETFILTER_DROP (lost) at nft_do_chain+0x46f, netns 4026532190
						               1  kfree_skb QUEUE_PURGE (after delivery) at ip_local_deliver+0x10, netns 4026532253
						The trace lost 1,043,065 events (the ring buffer or the event store was full); the counts lost none.
						Counted in netns server with the tracepoint backend.""");
	}

	@Test
	void should_fail_is_zero_when_such_drops_were_counted() {
		// GIVEN
		FakePacketTrace trace = trace(delivered()).withCounts(flood());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).drops().withReason(NETFILTER_DROP).isZero())
				.withMessageContaining("drops with reason NETFILTER_DROP%nto be exactly:%n  0%nbut it counted:%n  1"
						.formatted());
	}

	@Test
	void should_keep_the_description_through_narrowing() {
		// GIVEN
		FakePacketTrace trace = trace(delivered()).withCounts(flood());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).drops().as("the flood").withReason(NO_SOCKET).hasCount(1))
				.withMessageStartingWith("[the flood] ");
	}

	@Test
	void should_fail_on_a_reason_the_kernel_does_not_have_with_suggestions() {
		// GIVEN
		FakePacketTrace trace = trace(delivered()).withCounts(flood());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).drops().withReason(DropReason.named("NO_SOCKETS")))
				.withMessageContaining("NO_SOCKETS").withMessageContaining("Did you mean").withMessageContaining("NO_SOCKET");
	}

	@Test
	void should_fail_on_a_location_the_kernel_does_not_have() {
		// GIVEN
		FakePacketTrace trace = trace(delivered()).withCounts(flood());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).drops().atLocation("udp_rvc"))
				.withMessageContaining("kernel function").withMessageContaining("udp_rcv");
	}

	@Test
	void should_not_answer_when_the_kernel_skipped_runs_of_the_drop_probe() {
		// GIVEN a count that would hold, but the drop probe did not run twice
		FakePacketTrace trace = trace(delivered()).withCounts(flood()).withSkippedRuns(2, "kfree_skb");

		// WHEN / THEN
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> assertThat(trace).drops().withReason(NO_SOCKET).hasCount(376_000))
				.withMessageContaining("skipped 2 probe runs of the probes at kfree_skb");
	}

	@Test
	void should_fail_when_the_kernel_could_not_count_every_event() {
		// GIVEN a count map that was full
		KernelCounts full = KernelCounts.of(Map.of(), flood().drops(), 7);
		FakePacketTrace trace = trace(delivered()).withCounts(full);

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).drops().withReason(NO_SOCKET).hasCount(376_000))
				.withMessageContaining("but it could not count 7 events: its count map");
	}

	@Test
	void should_fail_when_nothing_is_in_scope() {
		// GIVEN
		FakePacketTrace trace = trace(delivered()).withCounts(flood()).withNothingInScope();

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).drops().isZero())
				.withMessageContaining("nothing is in scope");
	}
}
