package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.FakePacketTrace.START;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.tracepackets.Answer;
import io.tracepackets.DropReason;
import io.tracepackets.PacketBytes;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketEvents;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Refused packets and their answers, tied by tuple (RST) or by sender and time (ICMP errors). */
class PacketsAssert_wereRejected_Test {

	private static final long SYN_SKB = 0xffff888004b00000L;
	private static final long RST_SKB = 0xffff888004b01000L;
	private static final long UDP_SKB = 0xffff888004b02000L;
	private static final long ICMP_SKB = 0xffff888004b03000L;

	/** 10.0.0.1:41000 > 10.0.0.2:81 SYN, dropped by netfilter. */
	private static List<PacketEvent> synDropped(long at, int sourcePort, long skb) {
		PacketEvents syn = PacketEvents.tcp("10.0.0.1", sourcePort, "10.0.0.2", 81, 0x02).skb(skb).iface(12, "eth0");
		return List.of(syn.at(at, "netif_receive_skb"),
				syn.dropped(at + 100_000, DropReason.NETFILTER_DROP, "nf_hook_slow+0x7d", "nf_hook_slow+0x7d"));
	}

	/** 10.0.0.2:81 > 10.0.0.1:{@code port} RST|ACK, sent back. */
	private static List<PacketEvent> reset(long at, int port, long skb) {
		PacketEvents rst = PacketEvents.tcp("10.0.0.2", 81, "10.0.0.1", port, 0x14).skb(skb).iface(12, "eth0");
		return List.of(rst.at(at, "net_dev_queue"), rst.consumed(at + 50_000));
	}

	private static List<PacketEvent> datagramDropped(long at, int sourcePort, long skb) {
		PacketEvents udp = PacketEvents.udp("10.0.0.1", sourcePort, "10.0.0.2", 8096).skb(skb).iface(12, "eth0");
		return List.of(udp.at(at, "netif_receive_skb"),
				udp.dropped(at + 100_000, DropReason.NETFILTER_DROP, "nf_hook_slow+0x7d", "nf_hook_slow+0x7d"));
	}

	private static List<PacketEvent> icmpError(long at, int type, int code, long skb) {
		PacketEvents icmp = PacketEvents.icmp("10.0.0.2", "10.0.0.1", type, code).skb(skb).iface(12, "eth0");
		return List.of(icmp.at(at, "net_dev_queue"), icmp.consumed(at + 50_000));
	}

	@Test
	void should_tie_a_reset_to_the_segment_whose_tuple_it_reverses() {
		// GIVEN a SYN refused with a RST
		FakePacketTrace trace = trace(synDropped(START + 1_000_000, 41000, SYN_SKB),
				reset(START + 1_050_000, 41000, RST_SKB));

		// WHEN / THEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(tcp().dstPort(81)).wereRejected()
				.withReset());
		List<Answer> answers = assertThat(trace).packets(tcp().dstPort(81)).wereRejected().answers();
		assertThat(answers).singleElement().satisfies(answer -> {
			assertThat(answer.isReset()).isTrue();
			assertThat(answer.describe()).isEqualTo("TCP RST 10.0.0.2:81 > 10.0.0.1:41000");
		});
	}

	@Test
	void should_answer_a_forwarded_segment_that_went_on_under_a_new_journey_id() {
		// GIVEN a forwarded SYN whose skb went on under a new journey id (copied before its TTL
		// was decremented), then dropped by a REJECT that sent a RST
		PacketEvents received = PacketEvents.tcp("10.0.0.1", 41000, "10.0.0.2", 81, 0x02).skb(SYN_SKB)
				.iface(12, "eth0").journey(11);
		PacketEvents forwarded = PacketEvents.tcp("10.0.0.1", 41000, "10.0.0.2", 81, 0x02).skb(SYN_SKB)
				.iface(12, "eth0").journey(12);
		FakePacketTrace trace = trace(List.of(received.at(START + 1_000_000, "netif_receive_skb"),
				forwarded.dropped(START + 1_100_000, DropReason.NETFILTER_DROP, "nf_hook_slow+0x7d", "nf_hook_slow+0x7d")),
				reset(START + 1_050_000, 41000, RST_SKB));

		// WHEN / THEN the SYN is one packet, and the RST answered it
		assertThat(trace.paths()).hasSize(2);
		assertThat(assertThat(trace).packets(tcp().dstPort(81)).wereRejected().withReset().answers())
				.extracting(answer -> answer.path().skb()).containsExactly(RST_SKB);
	}

	@Test
	void should_answer_a_segment_at_the_address_of_an_earlier_one_freed_where_no_probe_saw_it() {
		// GIVEN two SYNs sent at one skb address: TCP freed the first (kept for retransmission)
		// when its RST came, without a probe seeing it, and the second got its address
		PacketEvents to81 = PacketEvents.tcp("10.0.0.1", 41000, "10.0.0.2", 81, 0x02).skb(SYN_SKB).iface(12, "eth0");
		PacketEvents to82 = PacketEvents.tcp("10.0.0.1", 41001, "10.0.0.2", 82, 0x02).skb(SYN_SKB).iface(12, "eth0");
		PacketEvents resetFrom82 = PacketEvents.tcp("10.0.0.2", 82, "10.0.0.1", 41001, 0x14).skb(RST_SKB + 0x100)
				.iface(12, "eth0");
		FakePacketTrace trace = trace(List.of(to81.at(START + 1_000_000, "net_dev_queue")),
				reset(START + 1_050_000, 41000, RST_SKB),
				List.of(to82.at(START + 2_000_000, "net_dev_queue")),
				List.of(resetFrom82.at(START + 2_050_000, "net_dev_queue"), resetFrom82.consumed(START + 2_100_000)));

		// WHEN / THEN each SYN has its own RST
		assertThat(assertThat(trace).packets(tcp().dstPort(81)).wereRejected().withReset().answers())
				.extracting(answer -> answer.path().skb()).containsExactly(RST_SKB);
		assertThat(assertThat(trace).packets(tcp().dstPort(82)).wereRejected().withReset().answers())
				.extracting(answer -> answer.path().skb()).containsExactly(RST_SKB + 0x100);
	}

	@Test
	void should_answer_a_segment_whose_reset_reused_the_address_and_buffer_of_a_netlink_message() {
		// GIVEN a netlink acknowledgement that a process in the refusing namespace read (its free
		// unseen), then a SYN refused with a RST in that message's skb and buffer (its journey id)
		PacketEvent message = PacketEvents.nonIp(0).skb(RST_SKB).journey(7)
				.returned(START + 500_000, "sk_filter_trim_cap", 0);
		PacketEvents syn = PacketEvents.tcp("10.0.0.1", 41000, "10.0.0.2", 81, 0x02).skb(SYN_SKB).iface(12, "eth0")
				.journey(5);
		PacketEvents rst = PacketEvents.tcp("10.0.0.2", 81, "10.0.0.1", 41000, 0x14).skb(RST_SKB).iface(12, "eth0")
				.journey(7);
		FakePacketTrace trace = trace(List.of(message), List.of(syn.at(START + 1_000_000, "netif_receive_skb")),
				List.of(rst.function(START + 1_040_000, "nf_hook_slow"), rst.at(START + 1_050_000, "net_dev_queue")),
				List.of(syn.dropped(START + 1_100_000, DropReason.NO_SOCKET, "tcp_v4_rcv+0x2bd", "tcp_v4_rcv+0x2bd")));

		// WHEN / THEN the RST, sent after the SYN came, answers it
		assertThat(assertThat(trace).packets(tcp().dstPort(81)).wereRejected().withReset().answers())
				.extracting(answer -> answer.path().first().timestampNanos()).containsExactly(START + 1_040_000);
	}

	@Test
	void should_not_take_a_reset_of_another_connection_for_the_answer() {
		// GIVEN a RST to another port of the client
		FakePacketTrace trace = trace(synDropped(START + 1_000_000, 41000, SYN_SKB),
				reset(START + 1_050_000, 42000, RST_SKB));

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp().dstPort(81)).wereRejected())
				.withMessageContaining("""
						Expecting packets matching:
						  tcp and dst port 81
						to be rejected: answered by a TCP RST or an ICMP error
						but 1 of 1 was not:
						  ✗ 10.0.0.1:41000 > 10.0.0.2:81 tcp SYN: no answer traced; dropped at nf_hook_slow (NETFILTER_DROP)
						An answer is traced only where its path is in scope: the namespace that refused the packet sends it, the sender's receives it.
						Their paths, with the answers that came:
						""");
	}

	@Test
	void should_tie_each_icmp_error_to_the_datagram_the_kernel_was_handling_when_it_sent_it() {
		// GIVEN two datagrams, each answered while the stack handled it (before its free)
		FakePacketTrace trace = trace(datagramDropped(START + 1_000_000, 40001, UDP_SKB),
				icmpError(START + 1_050_000, 3, 3, ICMP_SKB),
				datagramDropped(START + 1_200_000, 40002, UDP_SKB + 0x100),
				icmpError(START + 1_250_000, 3, 3, ICMP_SKB + 0x100));

		// WHEN / THEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(8096)).wereRejected()
				.withIcmp(3, 3).withPortUnreachable());
		List<Answer> answers = assertThat(trace).packets(udp().dstPort(8096)).wereRejected().answers();
		assertThat(answers).extracting(answer -> answer.path().skb()).containsExactly(ICMP_SKB, ICMP_SKB + 0x100);
		assertThat(answers).noneMatch(Answer::namesItsPacket);
	}

	@Test
	void should_not_take_the_answer_to_another_packet_of_the_same_sender() {
		// GIVEN a datagram dropped silently, then another refused with port unreachable
		PacketEvents silent = PacketEvents.udp("10.0.0.1", 40003, "10.0.0.2", 8099).skb(UDP_SKB + 0x200)
				.iface(12, "eth0");
		FakePacketTrace trace = trace(List.of(silent.at(START + 1_000_000, "netif_receive_skb"),
				silent.dropped(START + 1_100_000, DropReason.NETFILTER_DROP, "nf_hook_slow+0x7d", "nf_hook_slow+0x7d")),
				datagramDropped(START + 1_200_000, 40001, UDP_SKB), icmpError(START + 1_250_000, 3, 3, ICMP_SKB));

		// WHEN / THEN the answer is the refused one's, not the silent one's
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(8096)).wereRejected());
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(8099)).wereRejected())
				.withMessageContaining("8099 udp: no answer traced; dropped at nf_hook_slow (NETFILTER_DROP)");
	}

	@Test
	void should_tie_an_icmp_error_by_the_headers_it_quotes_when_its_bytes_were_captured() {
		// GIVEN two datagrams handled at once, and an error that quotes the first (the earlier one)
		PacketEvents icmp = PacketEvents.icmp("10.0.0.2", "10.0.0.1", 3, 3).skb(ICMP_SKB).iface(12, "eth0");
		PacketEvent quoting = PacketEvents.withBytes(icmp.at(START + 1_050_000, "net_dev_queue"),
				new PacketBytes(PacketBytes.Layer.IP, 56, portUnreachableQuoting(40001)));
		FakePacketTrace trace = trace(datagramDropped(START + 1_000_000, 40001, UDP_SKB),
				datagramDropped(START + 1_010_000, 40002, UDP_SKB + 0x100), List.of(quoting));

		// WHEN / THEN it answers the datagram it quotes, though the other was seen later
		assertThat(assertThat(trace).packets(udp().srcPort(40001)).wereRejected().answers())
				.singleElement().satisfies(answer -> assertThat(answer.namesItsPacket()).isTrue());
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().srcPort(40002)).wereRejected())
				.withMessageContaining("no answer traced");
	}

	/** ICMP port unreachable 10.0.0.2 > 10.0.0.1 quoting UDP 10.0.0.1:{@code sourcePort} > 10.0.0.2:8096. */
	private static byte[] portUnreachableQuoting(int sourcePort) {
		byte[] packet = new byte[20 + 8 + 20 + 8];
		packet[0] = 0x45;
		packet[9] = 1;
		System.arraycopy(new byte[] { 10, 0, 0, 2, 10, 0, 0, 1 }, 0, packet, 12, 8);
		packet[20] = 3;
		packet[21] = 3;
		packet[28] = 0x45;
		packet[28 + 9] = 17;
		System.arraycopy(new byte[] { 10, 0, 0, 1, 10, 0, 0, 2 }, 0, packet, 28 + 12, 8);
		packet[48] = (byte) (sourcePort >> 8);
		packet[49] = (byte) sourcePort;
		packet[50] = (byte) (8096 >> 8);
		packet[51] = (byte) 8096;
		return packet;
	}

	@Test
	void should_fail_with_the_answer_that_came_when_it_is_not_the_one_expected() {
		// GIVEN a datagram refused with host prohibited
		FakePacketTrace trace = trace(datagramDropped(START + 1_000_000, 40001, UDP_SKB),
				icmpError(START + 1_050_000, 3, 10, ICMP_SKB));

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(8096)).wereRejected().withIcmp(3, 3))
				.withMessageContaining("""
						to be rejected with ICMP port unreachable (type 3 code 3)
						but 1 of 1 was not:
						  ✗ 10.0.0.1:40001 > 10.0.0.2:8096 udp: answered by ICMP host prohibited (type 3 code 10) 10.0.0.2 > 10.0.0.1
						""")
				.withMessageContaining("net_dev_queue");
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(8096)).wereRejected().withReset())
				.withMessageContaining("to be rejected with a TCP RST");
	}

	@Test
	void should_not_tie_an_icmp_error_that_came_too_late() {
		// GIVEN an ICMP error two seconds after the datagram
		FakePacketTrace trace = trace(datagramDropped(START + 1_000_000, 40001, UDP_SKB),
				icmpError(START + 2_001_000_000L, 3, 3, ICMP_SKB));

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(8096)).wereRejected())
				.withMessageContaining("no answer traced");
	}

	@Test
	void should_fail_when_no_packet_matches() {
		FakePacketTrace trace = trace(synDropped(START + 1_000_000, 41000, SYN_SKB));

		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(8096)).wereRejected())
				.withMessageContaining("but the trace has no such packet.");
	}

	@Test
	void should_name_icmp_errors() {
		assertThat(Answer.icmpName(4, 3, 13)).isEqualTo("ICMP administratively prohibited (type 3 code 13)");
		assertThat(Answer.icmpName(6, 1, 4)).isEqualTo("ICMPv6 port unreachable (type 1 code 4)");
		assertThat(Answer.icmpName(4, 5, 1)).isEqualTo("ICMP type 5 code 1");
		assertThat(Answer.tuple(PacketEvents.udp("fd00::1", 41000, "2001:db8:0:0:1:0:0:1", 53).at(START, "net_dev_queue")))
				.isEqualTo("[fd00::1]:41000 > [2001:db8::1:0:0:1]:53");
		assertThat(Answer.tuple(PacketEvents.icmp("10.0.0.2", "10.0.0.1", 3, 3).at(START, "net_dev_queue")))
				.isEqualTo("10.0.0.2 > 10.0.0.1");
	}
}
