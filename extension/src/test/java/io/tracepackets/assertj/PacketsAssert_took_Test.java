package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.FakePacketTrace.START;
import static io.tracepackets.assertj.FailureTexts.lostEvents;
import static io.tracepackets.assertj.FailureTexts.tracedInServer;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.tracepackets.PacketEvent;
import io.tracepackets.PacketEvents;
import io.tracepackets.TracingUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacketsAssert_took_Test {

	/** A datagram from 10.0.0.2:{@code sourcePort} to 10.0.0.1:7000 queued on eth0, skb 0xffff8880050000NN. */
	private static PacketEvents datagram(int sourcePort, int n) {
		return PacketEvents.udp("10.0.0.2", sourcePort, "10.0.0.1", 7000).skb(0xffff888005000000L + n * 0x100L)
				.process(0, 4242, "java").iface(12, "eth0").length(1042);
	}

	/**
	 * A datagram queued at {@code queuedMs} that the qdisc let go {@code waitedMicros} later, then
	 * freed by the driver 5 µs after that.
	 */
	private static List<PacketEvent> queued(int n, double queuedMs, long waitedMicros) {
		PacketEvents packet = datagram(50000 + n, n);
		long queued = START + Math.round(queuedMs * 1_000_000);
		return List.of(packet.at(queued, "net_dev_queue"),
				packet.at(queued + waitedMicros * 1000, "net_dev_start_xmit"),
				packet.consumed(queued + waitedMicros * 1000 + 5_000));
	}

	@Test
	void should_pass_when_every_matching_packet_took_between_the_bounds() {
		// GIVEN three datagrams a rate limiter held 8 to 41 ms
		FakePacketTrace trace = trace(queued(1, 1, 8_000), queued(2, 1.1, 24_500), queued(3, 1.2, 41_250));

		// WHEN / THEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(7000))
				.took("net_dev_queue", "net_dev_start_xmit")
				.atLeast(Duration.ofMillis(8))
				.atMost(Duration.ofMillis(50)));
	}

	@Test
	void should_fail_showing_the_packets_that_took_longer_the_slowest_first() {
		// GIVEN
		FakePacketTrace trace = trace(queued(1, 1, 8_000), queued(2, 1.1, 24_500), queued(3, 1.2, 41_250));

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(7000))
						.took("net_dev_queue", "net_dev_start_xmit")
						.atMost(Duration.ofMillis(20)))
				.withMessage("""

						Expecting packets matching:
						  udp and dst port 7000
						to take at most 20.000ms from net_dev_queue to net_dev_start_xmit
						but 2 of 3 took longer, the slowest first:
						  41.250ms    0xffff888005000300  10.0.0.2:50003 > 10.0.0.1:7000 udp
						  24.500ms    0xffff888005000200  10.0.0.2:50002 > 10.0.0.1:7000 udp
						their paths (HOP: the time since the packet's previous event):
						  TIME        HOP        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
						  +1.200ms    -          0xffff888005000300 0   [java]             4026532001  eth0(12)       1042  10.0.0.2:50003 > 10.0.0.1:7000 udp             net_dev_queue
						  +42.450ms   +41.250ms  0xffff888005000300 0   [java]             4026532001  eth0(12)       1042  10.0.0.2:50003 > 10.0.0.1:7000 udp             net_dev_start_xmit
						  +42.455ms   +0.005ms   0xffff888005000300 0   [java]             4026532001  eth0(12)       1042  10.0.0.2:50003 > 10.0.0.1:7000 udp             consume_skb
						  +1.100ms    -          0xffff888005000200 0   [java]             4026532001  eth0(12)       1042  10.0.0.2:50002 > 10.0.0.1:7000 udp             net_dev_queue
						  +25.600ms   +24.500ms  0xffff888005000200 0   [java]             4026532001  eth0(12)       1042  10.0.0.2:50002 > 10.0.0.1:7000 udp             net_dev_start_xmit
						  +25.605ms   +0.005ms   0xffff888005000200 0   [java]             4026532001  eth0(12)       1042  10.0.0.2:50002 > 10.0.0.1:7000 udp             consume_skb
						  netns 4026532001 = server

						""" + tracedInServer(3));
	}

	@Test
	void should_fail_showing_the_packets_that_took_less_the_fastest_first() {
		// GIVEN
		FakePacketTrace trace = trace(queued(1, 1, 8_000), queued(2, 1.1, 24_500), queued(3, 1.2, 41_250));

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(7000))
						.took("net_dev_queue", "net_dev_start_xmit")
						.atLeast(Duration.ofMillis(30)))
				.withMessageStartingWith("""

						Expecting packets matching:
						  udp and dst port 7000
						to take at least 30.000ms from net_dev_queue to net_dev_start_xmit
						but 2 of 3 took less, the fastest first:
						  8.000ms     0xffff888005000100  10.0.0.2:50001 > 10.0.0.1:7000 udp
						  24.500ms    0xffff888005000200  10.0.0.2:50002 > 10.0.0.1:7000 udp
						their paths (HOP: the time since the packet's previous event):
						  TIME        HOP        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
						  +1.000ms    -          0xffff888005000100 0   [java]             4026532001  eth0(12)       1042  10.0.0.2:50001 > 10.0.0.1:7000 udp             net_dev_queue
						""");
	}

	@Test
	void should_show_only_the_five_slowest_of_many() {
		// GIVEN eight datagrams, the n-th held n ms
		List<PacketEvent> events = new ArrayList<>();
		for (int n = 1; n <= 8; n++) {
			events.addAll(queued(n, n / 10.0, n * 1000L));
		}
		FakePacketTrace trace = trace(events);

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(7000))
						.took("net_dev_queue", "net_dev_start_xmit")
						.atMost(Duration.ofMillis(1)))
				.withMessageContaining("""
						but 7 of 8 took longer; the 5 slowest:
						  8.000ms     0xffff888005000800  10.0.0.2:50008 > 10.0.0.1:7000 udp
						  7.000ms     0xffff888005000700  10.0.0.2:50007 > 10.0.0.1:7000 udp
						  6.000ms     0xffff888005000600  10.0.0.2:50006 > 10.0.0.1:7000 udp
						  5.000ms     0xffff888005000500  10.0.0.2:50005 > 10.0.0.1:7000 udp
						  4.000ms     0xffff888005000400  10.0.0.2:50004 > 10.0.0.1:7000 udp
						their paths""")
				.withMessageNotContaining("0xffff888005000300");
	}

	@Test
	void should_fail_showing_the_packets_that_never_passed_both_points() {
		// GIVEN a datagram freed in the qdisc, never handed to the driver
		PacketEvents dropped = datagram(50009, 9);
		FakePacketTrace trace = trace(queued(1, 1, 8_000), List.of(dropped.at(START + 2_000_000, "net_dev_queue")));

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(7000))
						.took("net_dev_queue", "net_dev_start_xmit"))
				.withMessageStartingWith("""

						Expecting packets matching:
						  udp and dst port 7000
						to pass through net_dev_queue → net_dev_start_xmit in order, to be timed
						but 1 of 2 did not:
						  TIME        HOP        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
						  +2.000ms    -          0xffff888005000900 0   [java]             4026532001  eth0(12)       1042  10.0.0.2:50009 > 10.0.0.1:7000 udp             net_dev_queue
						""");
	}

	@Test
	void should_fail_when_the_trace_has_no_matching_packet() {
		// GIVEN
		FakePacketTrace trace = trace(delivered());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(7000))
						.took("net_dev_queue", "net_dev_start_xmit"))
				.withMessage("""

						Expecting packets matching:
						  udp and dst port 7000
						to pass through net_dev_queue → net_dev_start_xmit in order, to be timed
						but the trace has no such packet.
						""" + tracedInServer(1));
	}

	@Test
	void should_refuse_a_negative_bound() {
		// GIVEN
		FakePacketTrace trace = trace(queued(1, 1, 8_000));

		// WHEN / THEN
		assertThatIllegalArgumentException()
				.isThrownBy(() -> assertThat(trace).packets(udp()).took("net_dev_queue", "net_dev_start_xmit")
						.atMost(Duration.ofMillis(-5)))
				.withMessage("atMost(PT-0.005S): a time taken is zero or more; e.g. atMost(Duration.ofMillis(5))");
	}

	@Test
	void should_refuse_to_answer_when_the_backend_cannot_see_a_point() {
		// GIVEN ip_rcv exists, but the tracepoint backend has no probe on it
		FakePacketTrace trace = trace(queued(1, 1, 8_000));

		// WHEN / THEN
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).took("ip_rcv", "net_dev_start_xmit"))
				.withMessage("ip_rcv unavailable: it is a kernel function, but the tracepoint backend does not see it"
						+ " (kprobes are disabled in this test)");
	}

	@Test
	void should_fail_on_lost_events() {
		// GIVEN
		FakePacketTrace trace = trace(queued(1, 1, 8_000)).withLostEvents(2);

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).took("net_dev_queue", "net_dev_start_xmit"))
				.withMessage(lostEvents(2));
	}
}
