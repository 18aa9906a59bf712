package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.FailureTexts.DELIVERED;
import static io.tracepackets.assertj.FailureTexts.lostEvents;
import static io.tracepackets.assertj.FailureTexts.table;
import static io.tracepackets.assertj.FailureTexts.tracedInServer;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.droppedByNftables;
import static io.tracepackets.assertj.TracedPackets.droppedForNoSocket;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.tracepackets.DropReason;
import io.tracepackets.PacketEvents;

import java.util.List;

import org.junit.jupiter.api.Test;

class PacketsAssert_wereDropped_Test {

	@Test
	void should_pass_when_every_matching_packet_was_dropped() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables(), delivered(), droppedForNoSocket());

		// WHEN / THEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9000)).wereDropped());
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().src("10.0.0.1").dstPort(53))
				.wereDropped()
				.withReason(DropReason.NO_SOCKET));
	}

	@Test
	void should_fail_showing_the_packets_that_were_not_dropped() {
		// GIVEN one UDP packet dropped, one delivered
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereDropped())
				.withMessage("""

						Expecting packets matching:
						  udp
						to be dropped (lost)
						but 1 of 2 did not:
						""" + table(DELIVERED) + tracedInServer(2));
	}

	@Test
	void should_fail_when_the_trace_has_no_matching_packet() {
		// GIVEN only UDP packets
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp().dstPort(9000)).wereDropped())
				.withMessage("""

						Expecting packets matching:
						  tcp and dst port 9000
						to be dropped (lost)
						but the trace has no such packet.
						""" + tracedInServer(2));
	}

	@Test
	void should_name_every_netns_in_scope_or_say_that_none_is() {
		// GIVEN a trace over two namespaces, and one scoped to none
		FakePacketTrace twoNamespaces = trace(delivered()).withNetns(4026532002L, "/run/netns/blue");
		FakePacketTrace unscoped = new FakePacketTrace(List.of());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(twoNamespaces).packets(tcp()).wereDropped())
				.withMessage("""

						Expecting packets matching:
						  tcp
						to be dropped (lost)
						but the trace has no such packet.
						Traced 1 packet in netns server, /run/netns/blue with the tracepoint backend (kprobes are disabled in this test).""");
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(unscoped).allPackets().wereDropped())
				.withMessage("""

						Expecting packets matching:
						  any
						to be dropped (lost)
						but the trace has no such packet.
						Traced 0 packets in netns (none: scope the trace to a container or netns) with the tracepoint backend (kprobes are disabled in this test).""");
	}

	@Test
	void should_fail_on_lost_events_even_when_every_packet_seen_was_dropped() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables()).withLostEvents(3);

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9000)).wereDropped())
				.withMessage(lostEvents(3));
	}

	@Test
	void should_keep_a_packet_whose_address_was_reused_by_another_apart() {
		// GIVEN the dropped packet's skb address reused by a delivered packet of another tuple
		PacketEvents reusing = PacketEvents.udp("10.0.0.9", 40000, "10.0.0.2", 9000).iface(12, "eth0");
		FakePacketTrace trace = trace(droppedByNftables(),
				List.of(reusing.at(FakePacketTrace.START + 5_000_000, "netif_receive_skb"),
						reusing.consumed(FakePacketTrace.START + 5_100_000)));

		// WHEN / THEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().src("10.0.0.1")).wereDropped());
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9000)).wereDropped())
				.withMessageContaining("but 1 of 2 did not:")
				.withMessageContaining("10.0.0.9:40000 > 10.0.0.2:9000 udp             consume_skb");
	}
}
