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

class PacketsAssert_wereNotDropped_Test {

	@Test
	void should_pass_when_no_matching_packet_was_dropped_after_a_flush() {
		// GIVEN
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9001)).wereNotDropped());

		// THEN a negative assertion first proves the reader is not late
		then(trace.flushes()).isEqualTo(1);
	}

	@Test
	void should_fail_showing_only_the_dropped_packets() {
		// GIVEN two packets dropped, one delivered
		FakePacketTrace trace = trace(droppedByNftables(), delivered(), droppedForNoSocket());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(53)).wereNotDropped())
				.withMessage("""

						Expecting packets matching:
						  udp and dst port 53
						not to be dropped (lost)
						but 1 did:
						  TIME        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
						  +3.000ms    0xffff888004a3e000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40002 > 10.0.0.2:53 udp               netif_receive_skb
						  +3.100ms    0xffff888004a3e000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40002 > 10.0.0.2:53 udp               kfree_skb NO_SOCKET (lost) at __udp4_lib_rcv+0x9c4
						  lost: NO_SOCKET: no socket matched: it never reached a receiver
						    nothing listens on 10.0.0.2 udp/53 (or the socket is in another network namespace)
						  netns 4026532001 = server

						Traced 3 packets in netns server with the tracepoint backend (kprobes are disabled in this test).""");
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereNotDropped())
				.withMessageStartingWith("""

						Expecting packets matching:
						  udp
						not to be dropped (lost)
						but 2 did:
						""")
				.withMessageNotContaining("skb_copy_datagram_iovec");
	}

	@Test
	void should_fail_when_the_trace_has_no_matching_packet() {
		// GIVEN no TCP packet at all: "not dropped" must not pass on traffic that never came
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp().dstPort(9002)).wereNotDropped())
				.withMessage("""

						Expecting packets matching:
						  tcp and dst port 9002
						not to be dropped (lost)
						but the trace has no such packet.
						Traced 2 packets in netns server with the tracepoint backend (kprobes are disabled in this test).""");
	}

	@Test
	void should_fail_on_lost_events_as_a_drop_may_be_among_them() {
		// GIVEN
		FakePacketTrace trace = trace(delivered()).withLostEvents(1);

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9001)).wereNotDropped())
				.withMessage("""

						Expecting the trace to hold every event, but it lost:
						  1 events
						The ring buffer or the event store was full, so any assertion on this trace could be wrong.
						Raise -Dtracepackets.ringbuffer.bytes (ring buffer bytes) or -Dtracepackets.max.events, or send fewer packets.""");
	}
}
