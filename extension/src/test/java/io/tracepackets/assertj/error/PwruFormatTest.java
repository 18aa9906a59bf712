package io.tracepackets.assertj.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.AddressText;
import io.tracepackets.DropReason;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketEvents;
import io.tracepackets.PacketPath;
import io.tracepackets.internal.window.PathAssembler;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

import org.junit.jupiter.api.Test;

class PwruFormatTest {

	private static final long START = 1_000_000_000L;
	private static final long OTHER_NETNS = 4026532002L;
	private static final LongFunction<String> LABELS = inode -> inode == PacketEvents.NETNS ? "server"
			: Long.toString(inode);

	private static final PacketEvents UDP = PacketEvents.udp("10.0.0.1", 40000, "10.0.0.2", 9000)
			.process(1, 4242, "curl")
			.iface(12, "eth0");

	@Test
	void should_render_a_header_then_each_packets_events_together_then_the_netns_legend() {
		// GIVEN an ICMP packet before the trace start, a dropped UDP packet, a TCP SYN-ACK in another netns
		PacketEvents tcp = PacketEvents.tcp("fd00::1", 80, "fd00::2", 50000, 0x12)
				.skb(0xffff888004a3d000L)
				.netns(OTHER_NETNS)
				.iface(7, null)
				.length(74);
		PacketEvents icmp = PacketEvents.icmp("10.0.0.2", "10.0.0.1", 3, 3).skb(0xffff888004a3e000L).length(88);
		List<PacketPath> paths = PathAssembler.group(List.of(
				icmp.at(START - 250_000, "net_dev_queue"),
				UDP.at(START + 1_500_000, "netif_receive_skb"),
				UDP.function(START + 1_520_000, "ip_rcv"),
				UDP.dropped(START + 1_600_000, DropReason.NETFILTER_DROP, "nf_hook_slow+0x7d", "nf_hook_slow+0x7d"),
				tcp.at(START + 12_345_678, "net_dev_start_xmit")));

		// WHEN
		String text = PwruFormat.render(paths, START, LABELS);

		// THEN each drop says what it meant and why
		assertThat(text).isEqualTo("""
				  TIME        HOP        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
				  -0.250ms    -          0xffff888004a3e000 0   [swapper/0]        4026532001  -              88    10.0.0.2 > 10.0.0.1 icmp type 3 code 3         net_dev_queue
				  +1.500ms    -          0xffff888004a3c000 1   [curl]             4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             netif_receive_skb
				  +1.520ms    +0.020ms   0xffff888004a3c000 1   [curl]             4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             ip_rcv
				  +1.600ms    +0.080ms   0xffff888004a3c000 1   [curl]             4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             kfree_skb NETFILTER_DROP (lost) at nf_hook_slow+0x7d
				  +12.346ms   -          0xffff888004a3d000 0   [swapper/0]        4026532002  if(7)          74    [fd00::1]:80 > [fd00::2]:50000 tcp [S.]        net_dev_start_xmit
				  lost: NETFILTER_DROP: dropped by a netfilter rule or policy
				    a netfilter rule or chain policy dropped it (iptables/nftables)
				  netns 4026532001 = server
				""");
	}

	@Test
	void should_say_so_when_there_are_no_packets() {
		// GIVEN
		List<PacketPath> none = List.of();

		// WHEN
		String text = PwruFormat.render(none, START, LABELS);

		// THEN
		assertThat(text).isEqualTo("  (no packets)\n");
	}

	@Test
	void should_render_one_line_per_event() {
		// GIVEN
		PacketEvent event = UDP.at(START + 2_000_000, "netif_receive_skb");

		// WHEN
		String line = PwruFormat.line(event, START);

		// THEN
		assertThat(line).isEqualTo("+2.000ms    -          0xffff888004a3c000 1   [curl]             4026532001  eth0(12)"
				+ "       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             netif_receive_skb\n");
	}

	@Test
	void should_show_the_time_since_the_packets_previous_event_in_the_hop_column() {
		// GIVEN a packet queued, then sent 41.25 ms later
		PacketEvent queued = UDP.at(START + 2_000_000, "net_dev_queue");
		PacketEvent sent = UDP.at(START + 43_250_000, "net_dev_start_xmit");

		// WHEN
		String line = PwruFormat.line(sent, START, queued);

		// THEN
		assertThat(line).isEqualTo("+43.250ms   +41.250ms  0xffff888004a3c000 1   [curl]             4026532001  eth0(12)"
				+ "       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             net_dev_start_xmit\n");
	}

	@Test
	void should_count_a_copys_first_hop_from_the_latest_earlier_event_of_its_journey() {
		// GIVEN a packet cloned for a packet socket: a function backend sees skb_clone on the original, then
		// its copy program writes the clone's first event, skb_clone, with the original's journey
		PacketEvents original = UDP.journey(77);
		PacketEvents clone = UDP.journey(77).skb(0xffff888004a3f000L).netns(OTHER_NETNS);
		List<PacketPath> paths = PathAssembler.group(List.of(
				original.at(START + 1_000_000, "net_dev_queue"),
				original.function(START + 1_010_000, "skb_clone"),
				clone.function(START + 1_012_000, "skb_clone"),
				clone.function(START + 1_015_000, "packet_rcv"),
				original.at(START + 1_030_000, "net_dev_start_xmit")));

		// WHEN
		String text = PwruFormat.render(paths, START, LABELS);

		// THEN the clone's first line counts from the original's skb_clone, the original's last from its line above
		assertThat(text).isEqualTo("""
				  TIME        HOP        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
				  +1.000ms    -          0xffff888004a3c000 1   [curl]             4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             net_dev_queue
				  +1.010ms    +0.010ms   0xffff888004a3c000 1   [curl]             4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             skb_clone
				  +1.030ms    +0.020ms   0xffff888004a3c000 1   [curl]             4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             net_dev_start_xmit
				  +1.012ms    +0.002ms   0xffff888004a3f000 1   [curl]             4026532002  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             skb_clone
				  +1.015ms    +0.003ms   0xffff888004a3f000 1   [curl]             4026532002  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             packet_rcv
				  netns 4026532001 = server
				""");
	}

	@Test
	void should_show_times_relative_to_the_trace_start_in_milliseconds() {
		// GIVEN nanoseconds since the start

		// WHEN
		String zero = PwruFormat.time(0);
		String later = PwruFormat.time(1_234_567);
		String earlier = PwruFormat.time(-250_000);
		String seconds = PwruFormat.time(2_500_000_000L);

		// THEN
		assertThat(zero).isEqualTo("+0.000ms");
		assertThat(later).isEqualTo("+1.235ms");
		assertThat(earlier).isEqualTo("-0.250ms");
		assertThat(seconds).isEqualTo("+2500.000ms");
	}

	@Test
	void should_render_udp_tcp_and_icmp_tuples_pcap_style() {
		// GIVEN
		PacketEvent udp = UDP.at(START, "netif_receive_skb");
		PacketEvent tcp6 = PacketEvents.tcp("fd00::1", 80, "fd00::2", 50000, 0x10).at(START, "netif_receive_skb");
		PacketEvent icmp = PacketEvents.icmp("10.0.0.1", "10.0.0.2", 8, 0).at(START, "netif_receive_skb");
		PacketEvent icmp6 = PacketEvents.icmp("fe80::1", "ff02::16", 143, 0).at(START, "net_dev_queue");

		// WHEN
		List<String> tuples = List.of(PwruFormat.tuple(udp), PwruFormat.tuple(tcp6), PwruFormat.tuple(icmp),
				PwruFormat.tuple(icmp6));

		// THEN
		assertThat(tuples).containsExactly(
				"10.0.0.1:40000 > 10.0.0.2:9000 udp",
				"[fd00::1]:80 > [fd00::2]:50000 tcp [.]",
				"10.0.0.1 > 10.0.0.2 icmp type 8 code 0",
				"fe80::1 > ff02::16 icmp6 type 143 code 0");
	}

	@Test
	void should_render_tcp_flags_as_tcpdump_letters() {
		// GIVEN TCP header byte 13 values: FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10

		// WHEN
		List<String> flags = List.of(PwruFormat.tcpFlags(0x02), PwruFormat.tcpFlags(0x12), PwruFormat.tcpFlags(0x18),
				PwruFormat.tcpFlags(0x11), PwruFormat.tcpFlags(0x04), PwruFormat.tcpFlags(0x14), PwruFormat.tcpFlags(0));

		// THEN
		assertThat(flags).containsExactly(" [S]", " [S.]", " [P.]", " [F.]", " [R]", " [R.]", "");
		assertThat(PwruFormat.tuple(PacketEvents.tcp("10.0.0.1", 1234, "10.0.0.2", 80, 0).at(START, "ip_rcv")))
				.isEqualTo("10.0.0.1:1234 > 10.0.0.2:80 tcp");
	}

	@Test
	void should_render_other_protocols_and_packets_without_ip_header() {
		// GIVEN an ARP packet, a packet of unknown ethertype 0, and GRE and no-L4 IP packets
		PacketEvent arp = PacketEvents.nonIp(0x0806).at(START, "netif_receive_skb");
		PacketEvent unknown = PacketEvents.nonIp(0).at(START, "netif_receive_skb");
		PacketEvent gre = PacketEvents.ip("10.0.0.1", "10.0.0.2", 47).function(0, "ip_rcv");
		PacketEvent noL4 = PacketEvents.ip("fd00::1", null, 0).function(0, "ip_rcv");

		// WHEN
		List<String> tuples = List.of(PwruFormat.tuple(arp), PwruFormat.tuple(unknown), PwruFormat.tuple(gre),
				PwruFormat.tuple(noL4));

		// THEN
		assertThat(tuples).containsExactly("ethertype 0x0806", "-", "10.0.0.1 > 10.0.0.2 proto47", "fd00::1 > ? ip");
	}

	@Test
	void should_show_a_drops_reason_and_location_and_other_events_by_name() {
		// GIVEN
		PacketEvent withLocation = UDP.dropped(START, DropReason.NETFILTER_DROP, "nf_hook_slow+0x7d");
		PacketEvent withoutLocation = UDP.dropped(START, DropReason.NO_SOCKET, null);
		PacketEvent consumed = UDP.consumed(START);
		PacketEvent function = UDP.function(START, "kfree_skb");

		// WHEN
		List<String> wheres = List.of(PwruFormat.where(withLocation), PwruFormat.where(withoutLocation),
				PwruFormat.where(consumed), PwruFormat.where(function));

		// THEN a function probe on kfree_skb is no drop
		assertThat(wheres).containsExactly("kfree_skb NETFILTER_DROP (lost) at nf_hook_slow+0x7d", "kfree_skb NO_SOCKET (lost)",
				"consume_skb", "kfree_skb");
	}

	@Test
	void should_show_the_interface_by_name_by_index_or_not_at_all() {
		// GIVEN
		PacketEvent named = UDP.at(START, "netif_receive_skb");
		PacketEvent unnamed = UDP.iface(7, null).at(START, "netif_receive_skb");
		PacketEvent none = UDP.iface(0, null).at(START, "netif_receive_skb");

		// WHEN
		List<String> interfaces = List.of(PwruFormat.iface(named), PwruFormat.iface(unnamed), PwruFormat.iface(none));

		// THEN
		assertThat(interfaces).containsExactly("eth0(12)", "if(7)", "-");
	}

	@Test
	void should_list_each_labelled_netns_once_in_order_of_appearance() {
		// GIVEN packets in three namespaces: one labelled, one without a label, one labelled as its number
		long third = 4026532003L;
		List<PacketPath> paths = PathAssembler.group(List.of(
				UDP.netns(third).at(START, "netif_receive_skb"),
				UDP.skb(2).at(START, "netif_receive_skb"),
				UDP.skb(3).netns(OTHER_NETNS).at(START, "netif_receive_skb"),
				UDP.skb(4).at(START, "netif_receive_skb")));
		LongFunction<String> labels = inode -> inode == PacketEvents.NETNS ? "server"
				: inode == third ? "/run/netns/blue" : inode == OTHER_NETNS ? Long.toString(inode) : null;

		// WHEN
		String text = PwruFormat.render(paths, START, labels);

		// THEN
		assertThat(text.lines().filter(line -> line.startsWith("  netns")).toList())
				.containsExactly("  netns 4026532003 = /run/netns/blue", "  netns 4026532001 = server");
	}

	@Test
	void should_show_at_most_50_packets_and_count_the_others() {
		// GIVEN 52 packets of two events each
		List<PacketEvent> events = new ArrayList<>();
		for (int i = 0; i < 52; i++) {
			PacketEvents packet = UDP.skb(0x1000 + i);
			events.add(packet.at(START + i, "netif_receive_skb"));
			events.add(packet.consumed(START + i));
		}
		List<PacketPath> paths = PathAssembler.group(events);

		// WHEN
		List<String> lines = PwruFormat.render(paths, START, LABELS).lines().toList();

		// THEN header, 50 packets' events, the cut, the legend
		assertThat(paths).hasSize(52);
		assertThat(lines).hasSize(1 + 100 + 1 + 1);
		assertThat(lines.get(100)).contains("0x1031").endsWith("consume_skb");
		assertThat(lines.get(101)).isEqualTo("  … 2 more packets not shown");
		assertThat(lines.get(102)).isEqualTo("  netns 4026532001 = server");
	}

	@Test
	void should_show_exactly_50_packets_without_a_cut() {
		// GIVEN
		List<PacketEvent> events = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			events.add(UDP.skb(0x1000 + i).at(START + i, "netif_receive_skb"));
		}

		// WHEN
		String text = PwruFormat.render(PathAssembler.group(events), START, LABELS);

		// THEN
		assertThat(text.lines()).hasSize(1 + 50 + 1).noneMatch(line -> line.contains("not shown"));
	}

	@Test
	void should_compress_the_longest_run_of_zero_groups_of_ipv6_addresses() {
		// GIVEN

		// WHEN
		List<String> addresses = List.of("::", "::1", "ff02::16", "2001:db8::1", "1:0:0:1:0:0:0:1", "fe80::",
				"2001:DB8:0:0:0:0:ABCD:1", "1:0:0:1:1:0:0:1", "2001:db8:0:1:1:1:1:1", "fd00::2")
				.stream()
				.map(literal -> AddressText.of(InetAddress.ofLiteral(literal)))
				.toList();

		// THEN RFC 5952: longest run, the first of equal ones, never a single group, lower case
		assertThat(addresses).containsExactly("::", "::1", "ff02::16", "2001:db8::1", "1:0:0:1::1", "fe80::",
				"2001:db8::abcd:1", "1::1:1:0:0:1", "2001:db8:0:1:1:1:1:1", "fd00::2");
	}

	@Test
	void should_render_ipv4_dotted_and_a_missing_address_as_question_mark() {
		// GIVEN

		// WHEN
		String v4 = AddressText.of(InetAddress.ofLiteral("172.17.0.2"));
		String missing = AddressText.of(null);

		// THEN
		assertThat(v4).isEqualTo("172.17.0.2");
		assertThat(missing).isEqualTo("?");
	}
}
