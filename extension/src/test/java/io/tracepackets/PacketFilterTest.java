package io.tracepackets;

import static io.tracepackets.PacketFilter.anyPacket;
import static io.tracepackets.PacketFilter.icmp;
import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.Container;

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

	/** A datagram from a left namespace's veth to a right one's; both ends are called eth0 there, as in containers. */
	private static final long LEFT = 4026532101L;
	private static final long RIGHT = 4026532102L;
	private static final PacketEvents CROSSING = PacketEvents.udp("10.231.0.1", 40000, "10.231.0.2", 7000);
	private static final PacketEvent QUEUED_LEFT = CROSSING.netns(LEFT).iface(2, "eth0").at(1, "net_dev_queue");
	private static final PacketEvent RECEIVED_RIGHT = CROSSING.netns(RIGHT).iface(7, "eth0").at(2, "netif_rx");
	private static final PacketEvent ON_A_BRIDGE = CROSSING.netns(RIGHT).iface(3, "br0").at(3, "net_dev_queue");
	private static final PacketEvent NO_DEVICE = CROSSING.netns(LEFT).at(0, "udp_send_skb");

	@Test
	void should_match_an_interface_by_the_name_the_event_records() {
		// GIVEN
		PacketFilter filter = udp().dev("eth0");

		// WHEN
		List<PacketEvent> matching = List.of(QUEUED_LEFT, RECEIVED_RIGHT, ON_A_BRIDGE, NO_DEVICE).stream()
				.filter(filter).toList();

		// THEN eth0 of either namespace, nothing without a device
		assertThat(matching).containsExactly(QUEUED_LEFT, RECEIVED_RIGHT);
		assertThat(filter).hasToString("udp and dev eth0");
	}

	@Test
	void should_tell_equal_interface_names_apart_by_namespace() {
		// GIVEN eth0 in the right namespace only
		PacketFilter filter = udp().netns(RIGHT).dev("eth0");

		// WHEN
		List<PacketEvent> matching = List.of(QUEUED_LEFT, RECEIVED_RIGHT, ON_A_BRIDGE, NO_DEVICE).stream()
				.filter(filter).toList();

		// THEN
		assertThat(matching).containsExactly(RECEIVED_RIGHT);
		assertThat(filter).hasToString("udp and netns 4026532102 and dev eth0");
	}

	@Test
	void should_match_an_interface_by_index() {
		// GIVEN
		PacketFilter filter = anyPacket().dev(7);

		// WHEN
		List<PacketEvent> matching = List.of(QUEUED_LEFT, RECEIVED_RIGHT, ON_A_BRIDGE, NO_DEVICE).stream()
				.filter(filter).toList();

		// THEN
		assertThat(matching).containsExactly(RECEIVED_RIGHT);
		assertThat(filter).hasToString("dev ifindex 7");
	}

	@Test
	void should_match_a_packet_that_one_event_on_the_device_matches_whole() {
		// GIVEN one datagram's path through both namespaces
		PacketPath path = new PacketPath(PacketEvents.SKB, List.of(NO_DEVICE, QUEUED_LEFT, RECEIVED_RIGHT));

		// WHEN / THEN its events in the right namespace are on eth0 and carry port 7000; none is on br0
		assertThat(udp().dstPort(7000).netns(RIGHT).dev("eth0").matches(path)).isTrue();
		assertThat(udp().netns(LEFT).dev(2).matches(path)).isTrue();
		assertThat(udp().dev("br0").matches(path)).isFalse();
		assertThat(udp().netns(LEFT).dev(7).matches(path)).as("index 7 is the right namespace's").isFalse();
	}

	@Test
	void should_refuse_what_cannot_be_an_interface_name_or_index() {
		assertThatIllegalArgumentException().isThrownBy(() -> udp().dev(""))
				.withMessage("dev(\"\") is not a network interface name: Linux names have 1 to 15 characters, without"
						+ " '/', ':' or blanks (ip link lists them); for an index, use dev(int)");
		assertThatIllegalArgumentException().isThrownBy(() -> udp().dev("veth1234567890ab"))
				.withMessageStartingWith("dev(\"veth1234567890ab\") is not a network interface name");
		assertThatIllegalArgumentException().isThrownBy(() -> udp().dev("eth0:1"));
		assertThatIllegalArgumentException().isThrownBy(() -> udp().dev("eth 0"));
		assertThatIllegalArgumentException().isThrownBy(() -> udp().dev("a/b"));
		assertThatIllegalArgumentException().isThrownBy(() -> udp().dev(".."));
		assertThatNullPointerException().isThrownBy(() -> udp().dev((String) null));
		assertThatIllegalArgumentException().isThrownBy(() -> udp().dev(0))
				.withMessage("dev(0): an interface index is 1 or more (ip link shows them before each name)");
		assertThat(udp().dev("veth1234567890a")).hasToString("udp and dev veth1234567890a");
	}

	@Test
	void should_refuse_an_inode_no_namespace_has() {
		assertThatIllegalArgumentException().isThrownBy(() -> udp().netns(0))
				.withMessage("netns(0): a namespace's inode is a positive number, as ls -iL /proc/<pid>/ns/net prints it");
	}

	@Test
	void should_take_a_namespace_path_by_the_inode_the_events_carry() throws IOException {
		// GIVEN this process's namespace
		Path own = Path.of("/proc/self/ns/net");
		long inode = (Long) Files.getAttribute(own, "unix:ino");

		// WHEN
		PacketFilter filter = udp().netns(own);

		// THEN
		assertThat(filter.test(CROSSING.netns(inode).at(1, "net_dev_queue"))).isTrue();
		assertThat(filter.test(QUEUED_LEFT)).isFalse();
		assertThat(filter).hasToString("udp and netns " + inode + " = /proc/self/ns/net");
	}

	@Test
	void should_refuse_a_path_that_is_no_network_namespace(@TempDir Path dir) throws IOException {
		// GIVEN a stale /run/netns entry is a regular file
		Path file = Files.writeString(dir.resolve("blue"), "");

		// WHEN / THEN
		assertThatExceptionOfType(TracePacketsException.class).isThrownBy(() -> udp().netns(file))
				.withMessageContaining(file + " is not a network namespace: it is a regular file");
		assertThatExceptionOfType(TracePacketsException.class).isThrownBy(() -> udp().netns(dir.resolve("gone")))
				.withMessage("netns(" + dir.resolve("gone") + "): no such file; a network namespace is"
						+ " /run/netns/<name> (ip netns list) or /proc/<pid>/ns/net");
	}

	@Test
	void should_refuse_a_container_that_is_not_running() {
		// GIVEN a container never started: no id yet (a proxy, so no Docker client is made)
		Container<?> never = (Container<?>) Proxy.newProxyInstance(Container.class.getClassLoader(),
				new Class<?>[] {Container.class}, (proxy, method, arguments) -> switch (method.getName()) {
					case "getContainerId" -> null;
					case "getDockerImageName" -> "tracepackets/netbox:local";
					default -> throw new UnsupportedOperationException(method.getName());
				});

		// WHEN / THEN
		assertThatExceptionOfType(TracePacketsException.class).isThrownBy(() -> udp().netns(never))
				.withMessageStartingWith("container ").withMessageContaining("is not running");
	}

	@Test
	void should_match_the_conntrack_states_given_and_no_packet_without_an_entry() {
		// GIVEN a SYN conntrack saw as NEW, a segment it refused, and one without an entry
		PacketEvents segment = PacketEvents.tcp("10.0.0.1", 50000, "10.0.0.2", 9000, 0x02);
		PacketEvent syn = segment.conntrack(new Conntrack(ConntrackState.NEW, false, true, false, false, 0, 0))
				.at(1, "net_dev_queue");
		PacketEvent refused = segment.conntrack(Conntrack.invalid()).at(2, "kfree_skb");
		PacketEvent untracked = segment.at(3, "netif_receive_skb");

		// WHEN
		List<PacketEvent> invalid = List.of(syn, refused, untracked).stream().filter(tcp().ctState(ConntrackState.INVALID))
				.toList();
		List<PacketEvent> newOrEstablished = List.of(syn, refused, untracked).stream()
				.filter(tcp().ctState(ConntrackState.ESTABLISHED, ConntrackState.NEW)).toList();

		// THEN
		assertThat(invalid).containsExactly(refused);
		assertThat(newOrEstablished).containsExactly(syn);
		assertThat(tcp().ctState(ConntrackState.ESTABLISHED, ConntrackState.NEW))
				.hasToString("tcp and ct state NEW,ESTABLISHED");
		assertThatIllegalArgumentException().isThrownBy(() -> tcp().ctState())
				.withMessageContaining("ctState(ConntrackState.INVALID)");
	}
}
