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

class PacketsAssert_areNone_Test {

	@Test
	void should_pass_after_a_flush_when_no_packet_matches() {
		// GIVEN only UDP packets
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(tcp()).areNone());

		// THEN a negative assertion first proves the reader is not late
		then(trace.flushes()).isEqualTo(1);
	}

	@Test
	void should_fail_showing_the_matching_packets_only() {
		// GIVEN three UDP packets, one of them to port 53
		FakePacketTrace trace = trace(droppedByNftables(), delivered(), droppedForNoSocket());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().src("10.0.0.1").dstPort(53)).areNone())
				.withMessage("""

						Expecting packets matching:
						  udp and src host 10.0.0.1 and dst port 53
						to see no packet
						but 1 did:
						  TIME        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
						  +3.000ms    0xffff888004a3e000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40002 > 10.0.0.2:53 udp               netif_receive_skb
						  +3.100ms    0xffff888004a3e000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40002 > 10.0.0.2:53 udp               kfree_skb NO_SOCKET (lost) at __udp4_lib_rcv+0x9c4
						  lost: NO_SOCKET: no socket matched: it never reached a receiver
						    nothing listens on 10.0.0.2 udp/53 (or the socket is in another network namespace)
						  netns 4026532001 = server

						Traced 3 packets in netns server with the tracepoint backend (kprobes are disabled in this test).""");
	}

	@Test
	void should_fail_on_a_packet_that_came_only_at_the_flush() {
		// GIVEN the reader hands the only packet over at the flush
		FakePacketTrace trace = trace().withLateEvents(droppedForNoSocket());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(53)).areNone())
				.withMessage("""

						Expecting packets matching:
						  udp and dst port 53
						to see no packet
						but 1 did:
						  TIME        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
						  +3.000ms    0xffff888004a3e000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40002 > 10.0.0.2:53 udp               netif_receive_skb
						  +3.100ms    0xffff888004a3e000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40002 > 10.0.0.2:53 udp               kfree_skb NO_SOCKET (lost) at __udp4_lib_rcv+0x9c4
						  lost: NO_SOCKET: no socket matched: it never reached a receiver
						    nothing listens on 10.0.0.2 udp/53 (or the socket is in another network namespace)
						  netns 4026532001 = server

						Traced 1 packet in netns server with the tracepoint backend (kprobes are disabled in this test).""");
	}

	@Test
	void should_fail_on_lost_events_as_a_matching_packet_may_be_among_them() {
		// GIVEN no TCP packet seen, but events lost
		FakePacketTrace trace = trace(delivered()).withLostEvents(1);

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp()).areNone())
				.withMessage("""

						Expecting the trace to hold every event, but it lost:
						  1 events
						The ring buffer or the event store was full, so any assertion on this trace could be wrong.
						Raise -Dtracepackets.ringbuffer.bytes (ring buffer bytes) or -Dtracepackets.max.events, or send fewer packets.""");
	}
}
