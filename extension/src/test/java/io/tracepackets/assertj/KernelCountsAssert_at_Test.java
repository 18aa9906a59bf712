package io.tracepackets.assertj;

import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.tracepackets.KernelCounts;
import io.tracepackets.TracingUnavailableException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelCountsAssert_at_Test {

	private static final KernelCounts COUNTS = KernelCounts.of(Map.of("net_dev_queue", 5_000L, "netif_rx", 4_999L),
			List.of(), 0);

	@Test
	void should_answer_from_the_count_at_a_tracepoint() {
		// GIVEN a trace that lost events
		FakePacketTrace trace = trace(delivered()).withCounts(COUNTS).withLostEvents(10);

		// WHEN / THEN
		assertThatNoException().isThrownBy(() -> {
			assertThat(trace).counts().at("net_dev_queue").hasCount(5_000);
			assertThat(trace).counts().at("netif_rx").isAtLeast(4_000);
			assertThat(trace).counts().at("consume_skb").isZero();
		});
	}

	@Test
	void should_fail_naming_the_point_and_both_counts() {
		// GIVEN
		FakePacketTrace trace = trace(delivered()).withCounts(COUNTS);

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).counts().at("netif_rx").hasCount(5_000))
				.withMessageContaining("events at netif_rx%nto be exactly:%n  5000%nbut it counted:%n  4999".formatted());
	}

	@Test
	void should_not_answer_for_a_function_the_backend_does_not_see() {
		// GIVEN the tracepoint backend
		FakePacketTrace trace = trace(delivered()).withCounts(COUNTS);

		// WHEN / THEN
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> assertThat(trace).counts().at("ip_rcv"))
				.withMessageContaining("ip_rcv");
	}

	@Test
	void should_fail_on_a_name_the_kernel_does_not_have_with_suggestions() {
		// GIVEN
		FakePacketTrace trace = trace(delivered()).withCounts(COUNTS);

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).counts().at("net_dev_queu"))
				.withMessageContaining("Did you mean").withMessageContaining("net_dev_queue");
	}
}
