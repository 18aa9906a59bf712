package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.FailureTexts.DROPPED_BY_NFTABLES;
import static io.tracepackets.assertj.FailureTexts.table;
import static io.tracepackets.assertj.FailureTexts.tracedInServer;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.droppedByNftables;
import static io.tracepackets.assertj.TracedPackets.droppedForNoSocket;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.tracepackets.DropReason;
import io.tracepackets.PacketEvents;
import io.tracepackets.TracingUnavailableException;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class DropsAssert_withReason_Test {

	@Test
	void should_pass_when_every_drop_had_the_reason() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables(), droppedForNoSocket());

		// WHEN / THEN by constant, or by name in any case, with or without prefix
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9000)).wereDropped()
				.withReason(DropReason.NETFILTER_DROP)
				.in("nf_hook_slow"));
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(53)).wereDropped()
				.withReason(DropReason.named("skb_drop_reason_no_socket")));
	}

	@Test
	void should_fail_showing_the_drops_with_another_reason() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables(), droppedForNoSocket());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereDropped().withReason(DropReason.NO_SOCKET))
				.withMessage("""

						Expecting packets matching:
						  udp
						to be dropped with reason NO_SOCKET
						but 1 of 2 did not:
						""" + table(DROPPED_BY_NFTABLES) + tracedInServer(2));
	}

	@Test
	void should_suggest_reasons_for_a_reason_the_kernel_does_not_have() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereDropped()
						.withReason(DropReason.named("NETFILTER_DORP")))
				.withMessage("""

						Expecting a drop reason of this kernel, but the running kernel has none called:
						  NETFILTER_DORP
						Did you mean:
						  NETFILTER_DROP""");
	}

	@Test
	void should_say_reasons_are_unavailable_on_a_kernel_without_drop_reasons() {
		// GIVEN a kernel before 5.17: no enum skb_drop_reason, every drop NOT_SPECIFIED
		PacketEvents packet = PacketEvents.udp("10.0.0.1", 40000, "10.0.0.2", 9000);
		FakeProbeCatalog noReasons = new FakeProbeCatalog(Set.of("kfree_skb"), Set.of(), List.of());
		FakePacketTrace trace = new FakePacketTrace(noReasons,
				List.of(packet.dropped(FakePacketTrace.START, DropReason.NOT_SPECIFIED, null)));

		// WHEN / THEN no reason can be checked, not even the one every drop shows: the extension
		// skips the test (fails it in strict mode) with this reason, while where still works
		for (DropReason reason : List.of(DropReason.NETFILTER_DROP, DropReason.NOT_SPECIFIED)) {
			assertThatExceptionOfType(TracingUnavailableException.class)
					.isThrownBy(() -> assertThat(trace).packets(udp()).wereDropped().withReason(reason))
					.withMessage("drop reason " + reason.name() + " unavailable: this kernel has no drop reasons"
							+ " (enum skb_drop_reason and kfree_skb's reason argument came with Linux 5.17), so no drop"
							+ " can be checked for one; assert where the packets were dropped instead, e.g."
							+ " wereDropped().in(\"nf_hook_slow\")");
		}
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp()).wereDropped());
	}
}
