package io.tracepackets;

import static io.tracepackets.PacketFilter.anyPacket;
import static io.tracepackets.PacketFilter.icmp;
import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.List;

import org.junit.jupiter.api.Test;

class PacketFilterTest {

	private static final PacketEvent UDP_9000 = PacketEvents.udp("10.0.0.1", 40000, "10.0.0.2", 9000).at(1, "ip_rcv");
	private static final PacketEvent UDP_53 = PacketEvents.udp("10.0.0.1", 40001, "10.0.0.3", 53).at(1, "ip_rcv");
	private static final PacketEvent TCP_SYN = PacketEvents.tcp("10.0.0.1", 50000, "10.0.0.2", 9000, 0x02)
			.at(1, "ip_rcv");
	private static final PacketEvent TCP6 = PacketEvents.tcp("fd00::1", 50000, "fd00::2", 80, 0x02).at(1, "ip6_rcv");
	private static final PacketEvent ICMP = PacketEvents.icmp("10.0.0.1", "10.0.0.2", 3, 3).at(1, "ip_rcv");
	private static final PacketEvent ICMP6 = PacketEvents.icmp("fd00::1", "ff02::16", 143, 0).at(1, "ip6_rcv");
	private static final PacketEvent ARP = PacketEvents.nonIp(0x0806).at(1, "netif_receive_skb");

	private static final List<PacketEvent> ALL = List.of(UDP_9000, UDP_53, TCP_SYN, TCP6, ICMP, ICMP6, ARP);

	@Test
	void should_match_udp_to_a_destination_port() {
		// GIVEN
		PacketFilter filter = udp().dstPort(9000);

		// WHEN
		List<PacketEvent> matching = ALL.stream().filter(filter).toList();

		// THEN the TCP packet to port 9000 is not UDP
		assertThat(matching).containsExactly(UDP_9000);
		assertThat(filter).hasToString("udp and dst port 9000");
	}

	@Test
	void should_match_tcp_from_a_source_address() {
		// GIVEN
		PacketFilter v4 = tcp().src("10.0.0.1");
		PacketFilter v6 = tcp().src(" fd00:0:0::1 ");

		// WHEN
		List<PacketEvent> matchingV4 = ALL.stream().filter(v4).toList();
		List<PacketEvent> matchingV6 = ALL.stream().filter(v6).toList();

		// THEN
		assertThat(matchingV4).containsExactly(TCP_SYN);
		assertThat(matchingV6).containsExactly(TCP6);
		assertThat(v4).hasToString("tcp and src host 10.0.0.1");
	}

	@Test
	void should_match_icmp_of_ipv4_and_ipv6() {
		// GIVEN
		PacketFilter filter = icmp();

		// WHEN
		List<PacketEvent> matching = ALL.stream().filter(filter).toList();

		// THEN
		assertThat(matching).containsExactly(ICMP, ICMP6);
		assertThat(filter).hasToString("icmp");
	}

	@Test
	void should_match_a_host_as_source_or_destination() {
		// GIVEN
		PacketFilter filter = anyPacket().host("10.0.0.2");

		// WHEN
		List<PacketEvent> matching = ALL.stream().filter(filter).toList();

		// THEN
		assertThat(matching).containsExactly(UDP_9000, TCP_SYN, ICMP);
		assertThat(filter).hasToString("host 10.0.0.2");
	}

	@Test
	void should_match_a_destination_address() {
		// GIVEN
		PacketFilter filter = udp().dst("10.0.0.3");

		// WHEN
		List<PacketEvent> matching = ALL.stream().filter(filter).toList();

		// THEN
		assertThat(matching).containsExactly(UDP_53);
		assertThat(filter).hasToString("udp and dst host 10.0.0.3");
	}

	@Test
	void should_match_ip_versions() {
		// GIVEN
		PacketFilter v6 = anyPacket().ipv6();
		PacketFilter v4 = anyPacket().ipv4();

		// WHEN
		List<PacketEvent> matchingV6 = ALL.stream().filter(v6).toList();
		List<PacketEvent> matchingV4 = ALL.stream().filter(v4).toList();

		// THEN
		assertThat(matchingV6).containsExactly(TCP6, ICMP6);
		assertThat(matchingV4).containsExactly(UDP_9000, UDP_53, TCP_SYN, ICMP);
		assertThat(v6).hasToString("ip6");
	}

	@Test
	void should_match_ports_of_tcp_and_udp_only() {
		// GIVEN ICMP 3/3 carries its type and code in the port fields
		PacketFilter srcPort = anyPacket().srcPort(3);
		PacketFilter dstPort = anyPacket().dstPort(3);
		PacketFilter eitherPort = anyPacket().port(9000);

		// WHEN
		List<PacketEvent> matchingSrc = ALL.stream().filter(srcPort).toList();
		List<PacketEvent> matchingDst = ALL.stream().filter(dstPort).toList();
		List<PacketEvent> matchingEither = ALL.stream().filter(eitherPort).toList();

		// THEN
		assertThat(matchingSrc).isEmpty();
		assertThat(matchingDst).isEmpty();
		assertThat(matchingEither).containsExactly(UDP_9000, TCP_SYN);
		assertThat(eitherPort).hasToString("port 9000");
	}

	@Test
	void should_match_every_packet_and_marks_and_any_condition() {
		// GIVEN
		PacketEvent marked = PacketEvents.udp("10.0.0.1", 1, "10.0.0.2", 2).mark(0x2a).at(1, "ip_rcv");
		PacketFilter mark = anyPacket().mark(42);
		PacketFilter custom = anyPacket().and(event -> event.length() == 60, "len 60");

		// WHEN
		boolean anyMatchesArp = anyPacket().test(ARP);
		boolean markMatches = mark.test(marked);
		boolean markMatchesUnmarked = mark.test(UDP_9000);

		// THEN
		assertThat(anyMatchesArp).isTrue();
		assertThat(anyPacket()).hasToString("any");
		assertThat(markMatches).isTrue();
		assertThat(markMatchesUnmarked).isFalse();
		assertThat(mark).hasToString("mark 0x2a");
		assertThat(custom).hasToString("len 60").accepts(UDP_9000);
		assertThat(udp().and(event -> true, "anything")).hasToString("udp and anything");
	}

	@Test
	void should_be_immutable() {
		// GIVEN
		PacketFilter udp = udp();

		// WHEN
		PacketFilter narrower = udp.dstPort(53);

		// THEN
		assertThat(udp).hasToString("udp").accepts(UDP_9000);
		assertThat(narrower).hasToString("udp and dst port 53").rejects(UDP_9000).accepts(UDP_53);
	}

	@Test
	void should_match_a_path_when_any_of_its_events_matches() {
		// GIVEN a path whose first probe saw no L4 header
		PacketEvent noTuple = PacketEvents.nonIp(0x0800).at(1, "netif_receive_skb");
		PacketPath path = new PacketPath(PacketEvents.SKB, List.of(noTuple, UDP_9000));
		PacketPath other = new PacketPath(PacketEvents.SKB, List.of(noTuple, UDP_53));

		// WHEN
		boolean matches = udp().dstPort(9000).matches(path);
		boolean otherMatches = udp().dstPort(9000).matches(other);

		// THEN
		assertThat(matches).isTrue();
		assertThat(otherMatches).isFalse();
	}

	@Test
	void should_refuse_ports_out_of_range() {
		// GIVEN
		PacketFilter udp = udp();

		// WHEN / THEN
		assertThatIllegalArgumentException().isThrownBy(() -> udp.dstPort(0))
				.withMessage("dstPort(0): a port must be in 1..65535");
		assertThatIllegalArgumentException().isThrownBy(() -> udp.srcPort(70000))
				.withMessage("srcPort(70000): a port must be in 1..65535");
		assertThatIllegalArgumentException().isThrownBy(() -> udp.port(-1))
				.withMessage("port(-1): a port must be in 1..65535");
		assertThat(udp.dstPort(1)).isNotNull();
		assertThat(udp.dstPort(65535)).isNotNull();
	}

	@Test
	void should_refuse_what_is_not_an_ip_literal() {
		// GIVEN
		PacketFilter tcp = tcp();

		// WHEN / THEN
		assertThatIllegalArgumentException().isThrownBy(() -> tcp.dst("not-an-ip"))
				.withMessage("dst(\"not-an-ip\") is not an IP address literal: use e.g. \"172.17.0.2\" or \"fd00::2\" "
						+ "(host names are not resolved; for a container use its getContainerInfo() address)");
		assertThatIllegalArgumentException().isThrownBy(() -> tcp.src("localhost"))
				.withMessage("src(\"localhost\") is not an IP address literal: use e.g. \"172.17.0.2\" or \"fd00::2\" "
						+ "(host names are not resolved; for a container use its getContainerInfo() address)");
		assertThatIllegalArgumentException().isThrownBy(() -> tcp.host("10.0.0.256"))
				.withMessage("host(\"10.0.0.256\") is not an IP address literal: use e.g. \"172.17.0.2\" or "
						+ "\"fd00::2\" (host names are not resolved; for a container use its getContainerInfo() address)");
		assertThatNullPointerException().isThrownBy(() -> tcp.host(null)).withMessage("host");
	}

	@Test
	void should_match_icmp_type_and_code_and_refuse_values_beyond_a_byte() {
		PacketEvent unreachable = PacketEvents.icmp("172.17.0.2", "172.17.0.1", 3, 3).at(1, "net_dev_queue");
		PacketEvent solicitation = PacketEvents.icmp("172.17.0.2", "172.17.0.1", 135, 0).at(2, "netif_rx");
		PacketFilter portUnreachable = PacketFilter.icmp().icmpType(3).icmpCode(3);
		assertThat(portUnreachable.test(unreachable)).isTrue();
		assertThat(portUnreachable.test(solicitation)).isFalse();
		assertThat(portUnreachable).hasToString("icmp and icmp type 3 and icmp code 3");
		assertThatIllegalArgumentException().isThrownBy(() -> PacketFilter.icmp().icmpType(256))
				.withMessage("icmpType(256): an ICMP type or code is in 0..255");
	}

	@Test
	void should_match_segments_with_every_named_tcp_flag() {
		PacketEvent data = PacketEvents.tcp("10.0.0.1", 40000, "10.0.0.2", 8080, 0x18).at(1, "netif_rx");
		PacketEvent syn = PacketEvents.tcp("10.0.0.1", 40000, "10.0.0.2", 8080, 0x02).at(2, "netif_rx");
		PacketFilter carryingData = tcp().tcpFlags(TcpFlag.PSH, TcpFlag.ACK);
		assertThat(carryingData.test(data)).isTrue();
		assertThat(carryingData.test(syn)).isFalse();
		assertThat(carryingData).hasToString("tcp and tcp flags PSH|ACK");
		assertThatIllegalArgumentException().isThrownBy(() -> tcp().tcpFlags())
				.withMessage("tcpFlags(): name at least one flag, e.g. tcpFlags(TcpFlag.SYN)");
	}
}
