package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.FailureTexts.DROPPED_FOR_NO_SOCKET;
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

import java.util.List;

import org.junit.jupiter.api.Test;

class DropsAssert_in_Test {

	@Test
	void should_pass_when_the_function_is_the_drop_location() {
		// GIVEN an iptables-nft drop freed in nft_do_chain (a module function: "+0x2f1 [nf_tables]")
		FakePacketTrace trace = trace(droppedByNftables());

		// WHEN / THEN
		assertThatNoException()
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9000)).wereDropped().in("nft_do_chain"));
	}

	@Test
	void should_pass_when_the_function_is_a_caller_in_the_drop_stack() {
		// GIVEN the same drop: nf_hook_slow is not the location, but it called nft_do_chain
		FakePacketTrace trace = trace(droppedByNftables());

		// WHEN / THEN
		assertThatNoException()
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9000)).wereDropped().in("nf_hook_slow"));
	}

	@Test
	void should_pass_when_the_function_is_the_location_of_a_drop_without_stack() {
		// GIVEN iptables-legacy style: freed in nf_hook_slow itself, no stack taken
		PacketEvents packet = PacketEvents.udp("10.0.0.1", 40000, "10.0.0.2", 9000);
		FakePacketTrace trace = trace(List.of(packet.at(FakePacketTrace.START, "netif_receive_skb"),
				packet.dropped(FakePacketTrace.START + 1, DropReason.NETFILTER_DROP, "nf_hook_slow+0x7d")));

		// WHEN / THEN
		assertThatNoException()
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9000)).wereDropped().in("nf_hook_slow"));
	}

	@Test
	void should_fail_showing_the_drops_elsewhere() {
		// GIVEN a drop by netfilter, and one for want of a socket in __udp4_lib_rcv
		FakePacketTrace trace = trace(droppedByNftables(), droppedForNoSocket());

		// WHEN / THEN only the drop outside nf_hook_slow is shown
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereDropped().in("nf_hook_slow"))
				.withMessage("""

						Expecting packets matching:
						  udp
						to be dropped in nf_hook_slow (the drop location or a caller in its stack)
						but 1 of 2 did not:
						""" + table(DROPPED_FOR_NO_SOCKET) + tracedInServer(2));
	}

	@Test
	void should_not_take_a_function_for_another_one_it_prefixes() {
		// GIVEN a drop in nf_hook_slow_list, whose name starts with nf_hook_slow
		PacketEvents packet = PacketEvents.udp("10.0.0.1", 40000, "10.0.0.2", 9000);
		FakePacketTrace trace = trace(List.of(packet.dropped(FakePacketTrace.START, DropReason.NETFILTER_DROP,
				"nf_hook_slow_list+0x10", "nf_hook_slow_list+0x10", "ip_sublist_rcv+0x20")));

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereDropped().in("nf_hook_slow"))
				.withMessage("""

						Expecting packets matching:
						  udp
						to be dropped in nf_hook_slow (the drop location or a caller in its stack)
						but 1 of 1 did not:
						  TIME        HOP        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
						  +0.000ms    -          0xffff888004a3c000 0   [swapper/0]        4026532001  -              60    10.0.0.1:40000 > 10.0.0.2:9000 udp             kfree_skb NETFILTER_DROP (lost) at nf_hook_slow_list+0x10
						  lost: NETFILTER_DROP: dropped by a netfilter rule or policy
						    a netfilter rule or chain policy dropped it (iptables/nftables)
						  netns 4026532001 = server

						""" + tracedInServer(1));
	}

	@Test
	void should_suggest_names_for_a_function_the_kernel_does_not_have() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereDropped().in("nf_hook_slw"))
				.withMessage("""

						Expecting a kernel function, but the running kernel has none called:
						  nf_hook_slw
						Did you mean:
						  nf_hook_slow""");
	}
}
