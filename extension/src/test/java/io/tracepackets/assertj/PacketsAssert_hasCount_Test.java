package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.droppedByNftables;
import static io.tracepackets.assertj.TracedPackets.droppedForNoSocket;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.BDDAssertions.then;

import org.junit.jupiter.api.Test;

class PacketsAssert_hasCount_Test {

	@Test
	void should_pass_after_a_flush_when_exactly_that_many_packets_match() {
		// GIVEN three UDP packets, one of them to port 53
		FakePacketTrace trace = trace(droppedByNftables(), delivered(), droppedForNoSocket());

		// WHEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp()).hasCount(3));
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(53)).hasCount(1));

		// THEN each count was taken after a flush, so a packet the reader had not handed over yet is counted
		then(trace.flushes()).isEqualTo(2);
	}

	@Test
	void should_pass_on_zero_when_no_packet_matches() {
		// GIVEN only UDP packets
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(tcp()).hasCount(0));
	}

	@Test
	void should_count_a_packet_that_came_only_at_the_flush() {
		// GIVEN the reader hands the second packet over at the flush
		FakePacketTrace trace = trace(droppedByNftables()).withLateEvents(delivered());

		// WHEN / THEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp()).hasCount(2));
	}

	@Test
	void should_fail_showing_every_matching_packet_when_there_are_more() {
		// GIVEN two UDP packets
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).hasCount(1))
				.withMessage("""

						Expecting exactly 1 packets matching:
						  udp
						but found 2:
						  TIME        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
						  +1.500ms    0xffff888004a3c000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             netif_receive_skb
						  +1.600ms    0xffff888004a3c000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             kfree_skb NETFILTER_DROP (lost) at nft_do_chain+0x2f1 [nf_tables]
						  +2.000ms    0xffff888004a3d000 0   [swapper/0]        4026532001  eth0(12)       60    10.0.0.1:40001 > 10.0.0.2:9001 udp             netif_receive_skb
						  +2.100ms    0xffff888004a3d000 0   [swapper/0]        4026532001  eth0(12)       60    10.0.0.1:40001 > 10.0.0.2:9001 udp             skb_copy_datagram_iovec
						  +2.200ms    0xffff888004a3d000 0   [swapper/0]        4026532001  eth0(12)       60    10.0.0.1:40001 > 10.0.0.2:9001 udp             consume_skb
						  lost: NETFILTER_DROP: dropped by a netfilter rule or policy
						    a netfilter rule or chain policy dropped it (iptables/nftables)
						  netns 4026532001 = server

						Traced 2 packets in netns server with the tracepoint backend (kprobes are disabled in this test).""");
	}

	@Test
	void should_fail_showing_the_matching_packets_when_there_are_fewer() {
		// GIVEN one packet to port 53
		FakePacketTrace trace = trace(droppedByNftables(), droppedForNoSocket());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(53)).hasCount(2))
				.withMessage("""

						Expecting exactly 2 packets matching:
						  udp and dst port 53
						but found 1:
						  TIME        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
						  +3.000ms    0xffff888004a3e000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40002 > 10.0.0.2:53 udp               netif_receive_skb
						  +3.100ms    0xffff888004a3e000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40002 > 10.0.0.2:53 udp               kfree_skb NO_SOCKET (lost) at __udp4_lib_rcv+0x9c4
						  lost: NO_SOCKET: no socket matched: it never reached a receiver
						    nothing listens on 10.0.0.2 udp/53 (or the socket is in another network namespace)
						  netns 4026532001 = server

						Traced 2 packets in netns server with the tracepoint backend (kprobes are disabled in this test).""");
	}

	@Test
	void should_fail_saying_so_when_no_packet_matches() {
		// GIVEN only UDP packets
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp().dstPort(9000)).hasCount(1))
				.withMessage("""

						Expecting exactly 1 packets matching:
						  tcp and dst port 9000
						but found 0:
						  (no packets)

						Traced 2 packets in netns server with the tracepoint backend (kprobes are disabled in this test).""");
	}

	@Test
	void should_fail_on_lost_events_even_when_the_count_is_right() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables()).withLostEvents(2);

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).hasCount(1))
				.withMessage("""

						Expecting the trace to hold every event, but it lost:
						  2 events
						The ring buffer or the event store was full, so any assertion on this trace could be wrong.
						Raise -Dtracepackets.ringbuffer.bytes (ring buffer bytes) or -Dtracepackets.max.events, or send fewer packets.""");
	}
}
