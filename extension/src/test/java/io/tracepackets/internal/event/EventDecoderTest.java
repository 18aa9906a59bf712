package io.tracepackets.internal.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.Conntrack;
import io.tracepackets.ConntrackState;
import io.tracepackets.DropReason;
import io.tracepackets.Encapsulation;
import io.tracepackets.PacketEvent;
import io.tracepackets.ProbeKind;
import io.tracepackets.ReturnValue;
import io.tracepackets.internal.btf.DropReasons;
import io.tracepackets.internal.symbols.Kallsyms;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class EventDecoderTest {

	private static final List<String> KALLSYMS = List.of(
			"ffffffff81000000 T _stext",
			"ffffffff81100000 T ip_rcv",
			"ffffffff81100400 T ip_local_deliver",
			"ffffffff81100800 T ip_route_input_noref",
			"ffffffff81200000 T nf_hook_slow",
			"ffffffff81200200 T kfree_skb_reason",
			"ffffffff81300000 T __netif_receive_skb_core",
			"ffffffff81f00000 T _etext",
			"ffffffffc0001000 t nft_do_chain\t[nf_tables]",
			"ffffffffc0201000 t bpf_trampoline_6442521612\t[__builtin__ftrace]",
			"ffffffffc0300000 t bpf_prog_6deef7357e7b4530_kfree_skb\t[bpf]");

	private static final long IP_RCV = 0xffffffff81100000L;
	private static final long NF_HOOK_SLOW = 0xffffffff81200000L;
	private static final long IP_ROUTE_INPUT_NOREF = 0xffffffff81100800L;
	private static final long KFREE_SKB_REASON = 0xffffffff81200200L;
	private static final long NETIF_RECEIVE_SKB_CORE = 0xffffffff81300000L;
	private static final long NFT_DO_CHAIN = 0xffffffffc0001000L;
	private static final long TRAMPOLINE = 0xffffffffc0201000L;
	private static final long BPF_PROG = 0xffffffffc0300000L;

	private static final Map<Long, String> REASONS = Map.of(
			2L, "SKB_DROP_REASON_NOT_SPECIFIED",
			3L, "SKB_DROP_REASON_NO_SOCKET",
			7L, "SKB_DROP_REASON_NETFILTER_DROP");

	private static final long NETNS = 0xf0000001L; // above Integer.MAX_VALUE: read unsigned
	private static final long SKB = 0xffff888004a3c000L;
	/** The NAT trailer of {@link #dnatted()}: DNAT from 10.0.0.1:40000 > 10.96.0.10:80. */
	private static final byte[] PRE_NAT = preNat("10.0.0.1", "10.96.0.10", 40000, 80, EventLayout.NAT_DESTINATION);

	private final Map<Integer, long[]> stackMap = Map.of(
			5, new long[] { BPF_PROG + 0x40, TRAMPOLINE + 0x8, KFREE_SKB_REASON + 0x8a, NFT_DO_CHAIN + 0x10,
					NF_HOOK_SLOW + 0x7d, 0x1000L, IP_RCV + 0x5c, NETIF_RECEIVE_SKB_CORE + 0x123 });
	private final List<Integer> stackLookups = new ArrayList<>();
	private final List<String> interfaceLookups = new ArrayList<>();

	private final EventDecoder decoder = new EventDecoder(Kallsyms.parse(KALLSYMS), DropReasons.of(REASONS),
			stackId -> {
				stackLookups.add(stackId);
				return stackMap.get(stackId);
			},
			(netns, ifindex) -> {
				interfaceLookups.add(netns + "/" + ifindex);
				return netns == NETNS && ifindex == 12 ? "eth0" : null;
			});

	@Test
	void should_decode_an_ipv4_udp_packet_with_its_ports() {
		// GIVEN netif_receive_skb of 10.0.0.1:40000 > 10.0.0.2:9000 on eth0
		byte[] record = new RawEvent()
				.header(3, 1_234_567_890L, SKB, 3, 4242, "curl")
				.device(NETNS, 12, 0x2a, 71, 0x0800)
				.ip(4, PacketEvent.UDP, 0, 40000, 9000, "10.0.0.1", "10.0.0.2")
				.bytes();

		// WHEN
		PacketEvent event = decoder.decode(record);

		// THEN
		assertThat(event).isEqualTo(new io.tracepackets.internal.record.EventRecord(1_234_567_890L, 3, 4242, "curl", SKB, "netif_receive_skb",
				ProbeKind.TRACEPOINT, NETNS, 12, "eth0", 0x2a, 71, 0x0800, 4, InetAddress.ofLiteral("10.0.0.1"),
				InetAddress.ofLiteral("10.0.0.2"), PacketEvent.UDP, 40000, 9000, -1, -1, 0, null, null, null, null, null, List.of()));
		assertThat(event.protocolName()).isEqualTo("udp");
		assertThat(interfaceLookups).containsExactly(NETNS + "/12");
	}

	@Test
	void should_share_what_a_flood_s_events_repeat_instead_of_a_copy_per_event() {
		// GIVEN two drops of two datagrams of one flood: same sender, addresses, reason and place
		byte[] first = new RawEvent().header(1, 3L, SKB, 0, 4242, "udpflood")
				.device(NETNS, 12, 0, 60, 0x0800).ip(4, PacketEvent.UDP, 0, 40123, 9, "10.0.0.1", "10.0.0.2")
				.drop(3, IP_RCV + 0x10, -1).bytes();
		byte[] second = new RawEvent().header(1, 4L, SKB + 0x100, 1, 4242, "udpflood")
				.device(NETNS, 12, 0, 60, 0x0800).ip(4, PacketEvent.UDP, 0, 40124, 9, "10.0.0.1", "10.0.0.2")
				.drop(3, IP_RCV + 0x10, -1).bytes();

		// WHEN
		PacketEvent a = decoder.decode(first);
		PacketEvent b = decoder.decode(second);

		// THEN they hold the same objects, not equal copies: a decoded event's heap is its own fields
		assertThat(b.comm()).isEqualTo("udpflood").isSameAs(a.comm());
		assertThat(b.source()).isEqualTo(InetAddress.ofLiteral("10.0.0.1")).isSameAs(a.source());
		assertThat(b.destination()).isSameAs(a.destination());
		assertThat(b.dropReason()).isSameAs(a.dropReason());
		assertThat(b.location()).isEqualTo("ip_rcv+0x10").isSameAs(a.location());
		assertThat(b.dropDiagnosis()).isNotNull().isSameAs(a.dropDiagnosis());
		assertThat(b.dropKindExplanation()).isNotNull().isSameAs(a.dropKindExplanation());
	}

	@Test
	void should_decode_an_xdp_programs_drop_verdict_as_a_loss_naming_the_program_id() {
		// GIVEN the XDP probe's event: XDP_DROP (1) from program 44 on eth0, the frame's data address as identity
		byte[] record = new RawEvent()
				.header(EventLayout.PROBE_XDP, 5L, 0xffff888100bab000L, 1, 0, "")
				.device(NETNS, 12, 0, 57, 0x0800)
				.ip(4, PacketEvent.UDP, 0, 49752, 9100, "10.231.0.1", "10.231.0.2")
				.drop(1, 44, -1)
				.bytes();

		// WHEN
		PacketEvent event = decoder.decode(record);

		// THEN a drop, lost, at the program, which the attribution names from its id
		assertThat(event.where()).isEqualTo(PacketEvent.XDP);
		assertThat(event.kind()).isEqualTo(ProbeKind.HOOK);
		assertThat(event.isDrop()).isTrue();
		assertThat(event.isLoss()).isTrue();
		assertThat(event.location()).isEqualTo("prog#44");
		assertThat(event.dropReason()).isNull();
		assertThat(event.dropKindExplanation()).isEqualTo(
				"XDP_DROP from the XDP program (id 44) on eth0: the packet ended before any skb existed");
		assertThat(event.destinationPort()).isEqualTo(9100);
		assertThat(io.tracepackets.assertj.error.PwruFormat.line(event, 0))
				.endsWith(" xdp XDP_DROP (lost) at prog#44" + System.lineSeparator());
	}

	@Test
	void should_decode_the_tuple_before_nat_from_the_nat_trailer() {
		// GIVEN a DNAT'ed packet 10.0.0.1:40000 > 10.0.0.2:9000, sent to 10.96.0.10:80, as the store keeps it
		ByteBuffer record = record(dnatted().trailers(EventLayout.TRAILER_NAT), 0).put(PRE_NAT, 0,
				EventLayout.PRE_NAT_KEPT);

		// WHEN
		io.tracepackets.internal.record.EventRecord decoded = decoder.decode(record.array());

		// THEN
		assertThat(decoded.wasTranslated()).isTrue();
		assertThat(decoded.preNatSource()).isEqualTo(InetAddress.ofLiteral("10.0.0.1"));
		assertThat(decoded.preNatDestination()).isEqualTo(InetAddress.ofLiteral("10.96.0.10"));
		assertThat(decoded.preNatSourcePort()).isEqualTo(40000);
		assertThat(decoded.preNatDestinationPort()).isEqualTo(80);
		assertThat(decoded.destinationPort()).isEqualTo(9000);
		assertThat(decoded.packetBytes()).isEmpty();
	}

	@Test
	void should_decode_an_overlays_packet_on_the_underlay_with_its_inner_tuple_and_its_outer_headers() {
		// GIVEN a pod's datagram 10.244.1.2:40000 > 10.244.2.2:7000 in VXLAN (VNI 0x012345) between
		// the nodes 192.168.77.1 and .2, as the probes write it: the inner tuple in the event, the
		// outer headers in the trailer, whose nat is 0
		RawEvent event = new RawEvent().header(4, 1L, SKB, 0, 1, "iperf").device(NETNS, 2, 0, 107, 0x0800)
				.ip(4, PacketEvent.UDP, 0, 40000, 7000, "10.244.1.2", "10.244.2.2").trailers(EventLayout.TRAILER_NAT);
		byte[] trailer = preNat("192.168.77.1", "192.168.77.2", 42234, 4789, 0);
		trailer[EventLayout.PRE_NAT_VNI] = 0x01;
		trailer[EventLayout.PRE_NAT_VNI + 1] = 0x23;
		trailer[EventLayout.PRE_NAT_VNI + 2] = 0x45;
		trailer[EventLayout.PRE_NAT_TUNNEL] = EventLayout.TUNNEL_VXLAN4;
		ByteBuffer record = record(event, 0).put(trailer, 0, EventLayout.PRE_NAT_KEPT);

		// WHEN
		PacketEvent decoded = decoder.decode(record.array());

		// THEN the pod's tuple, no translation, and the underlay's headers beside it
		assertThat(decoded.source()).isEqualTo(InetAddress.ofLiteral("10.244.1.2"));
		assertThat(decoded.destinationPort()).isEqualTo(7000);
		assertThat(decoded.wasTranslated()).isFalse();
		assertThat(decoded.encapsulation()).contains(new Encapsulation("vxlan", InetAddress.ofLiteral("192.168.77.1"),
				InetAddress.ofLiteral("192.168.77.2"), 42234, 4789, 0x012345));
		assertThat(decoded.outer()).hasValueSatisfying(outer -> {
			assertThat(outer.source()).isEqualTo(InetAddress.ofLiteral("192.168.77.1"));
			assertThat(outer.destination()).isEqualTo(InetAddress.ofLiteral("192.168.77.2"));
			assertThat(outer.l4Protocol()).isEqualTo(PacketEvent.UDP);
			assertThat(outer.destinationPort()).isEqualTo(4789);
		});
		assertThat(io.tracepackets.assertj.error.PwruFormat.line(decoded, 0))
				.contains("10.244.1.2:40000 > 10.244.2.2:7000 udp")
				.endsWith("[vxlan 192.168.77.1:42234 > 192.168.77.2:4789 vni 74565]" + System.lineSeparator());
	}

	@Test
	void should_decode_no_encapsulation_from_a_nat_trailer_without_a_tunnel() {
		// GIVEN a translated packet's trailer: tunnel 0
		ByteBuffer record = record(dnatted().trailers(EventLayout.TRAILER_NAT), 0).put(PRE_NAT, 0,
				EventLayout.PRE_NAT_KEPT);

		// WHEN / THEN
		PacketEvent decoded = decoder.decode(record.array());
		assertThat(decoded.encapsulation()).isEmpty();
		assertThat(decoded.outer()).isEmpty();
	}

	@Test
	void should_decode_the_conntrack_state_and_status_bits_from_the_event() {
		// GIVEN a SYN's confirmed entry (IP_CT_NEW), then a reply of a DNATed connection
		byte[] syn = new RawEvent().header(4, 1L, SKB, 0, 1, "curl").device(NETNS, 0, 0, 60, 0x0800)
				.ip(4, PacketEvent.TCP, 0x02, 40000, 80, "10.0.0.1", "10.0.0.2")
				.conntrack(EventLayout.CT_ENTRY | 2 | EventLayout.CT_CONFIRMED).bytes();
		byte[] reply = new RawEvent().header(4, 2L, SKB, 0, 1, "nginx").device(NETNS, 0, 0, 60, 0x0800)
				.ip(4, PacketEvent.TCP, 0x12, 80, 40000, "10.0.0.2", "10.0.0.1")
				.conntrack(EventLayout.CT_ENTRY | 3 | EventLayout.CT_CONFIRMED | EventLayout.CT_DESTINATION_NAT).bytes();

		// WHEN
		PacketEvent first = decoder.decode(syn);
		PacketEvent second = decoder.decode(reply);

		// THEN
		assertThat(first.conntrack()).contains(new Conntrack(ConntrackState.NEW, false, true, false, false, 0, 0));
		assertThat(second.conntrack()).contains(new Conntrack(ConntrackState.ESTABLISHED, true, true, false, true, 0, 0));
		assertThat(second.conntrack().orElseThrow()).hasToString("ESTABLISHED reply confirmed dnat");
		assertThat(second.wasTranslated()).as("no trailer: the tuple before NAT is not in this record").isFalse();
	}

	@Test
	void should_decode_related_and_untracked_and_no_entry() {
		// GIVEN an ICMP error about a connection (IP_CT_RELATED_REPLY), a NOTRACK packet, and no entry
		byte[] related = new RawEvent().header(3, 1L, SKB, 0, 0, "a").datagramOnEth0()
				.conntrack(EventLayout.CT_ENTRY | 4 | EventLayout.CT_CONFIRMED).bytes();
		byte[] untracked = new RawEvent().header(3, 1L, SKB, 0, 0, "a").datagramOnEth0()
				.conntrack(EventLayout.CT_ENTRY | 7).bytes();
		byte[] none = new RawEvent().header(3, 1L, SKB, 0, 0, "a").datagramOnEth0().bytes();

		// THEN
		assertThat(decoder.decode(related).conntrack()).map(Conntrack::state).contains(ConntrackState.RELATED);
		assertThat(decoder.decode(related).conntrack()).map(Conntrack::reply).contains(true);
		assertThat(decoder.decode(untracked).conntrack())
				.contains(new Conntrack(ConntrackState.UNTRACKED, false, false, false, false, 0, 0));
		assertThat(decoder.decode(none).conntrack()).isEmpty();
	}

	@Test
	void should_decode_zone_and_mark_from_a_trailer_without_a_translation() {
		// GIVEN an established entry in zone 7 with connmark 0x2a: a trailer whose nat is 0
		ByteBuffer trailer = ByteBuffer.allocate(EventLayout.PRE_NAT_SIZE).order(ByteOrder.LITTLE_ENDIAN)
				.putShort(EventLayout.PRE_NAT_ZONE, (short) 7).putInt(EventLayout.PRE_NAT_CT_MARK, 0x2a);
		ByteBuffer record = record(dnatted().trailers(EventLayout.TRAILER_NAT)
				.conntrack(EventLayout.CT_ENTRY | 0 | EventLayout.CT_CONFIRMED), 0)
				.put(trailer.array(), 0, EventLayout.PRE_NAT_KEPT);

		// WHEN
		PacketEvent event = decoder.decode(record.array());

		// THEN the entry's zone and mark, and no tuple before a translation that did not happen
		assertThat(event.conntrack()).contains(new Conntrack(ConntrackState.ESTABLISHED, false, true, false, false, 7, 0x2a));
		assertThat(event.conntrack().orElseThrow()).hasToString("ESTABLISHED confirmed zone 7 mark 0x2a");
		assertThat(event.wasTranslated()).isFalse();
	}

	@Test
	void should_call_a_netfilter_drop_without_an_entry_invalid_where_conntrack_tracks_packets() {
		// GIVEN a netfilter drop without an entry, before and after the namespace showed a tracked packet
		byte[] drop = new RawEvent().header(1, 3L, SKB, 0, 0, "hping3")
				.device(NETNS, 12, 0, 60, 0x0800).ip(4, PacketEvent.TCP, 0x29, 40123, 7700, "10.0.0.1", "10.0.0.2")
				.drop(7, NF_HOOK_SLOW + 0x7d, -1).bytes();
		byte[] tracked = new RawEvent().header(4, 2L, SKB + 0x100, 0, 0, "a").device(NETNS, 12, 0, 60, 0x0800)
				.ip(4, PacketEvent.TCP, 0x12, 7700, 40123, "10.0.0.2", "10.0.0.1")
				.conntrack(EventLayout.CT_ENTRY | 3 | EventLayout.CT_CONFIRMED).bytes();
		byte[] notNetfilter = new RawEvent().header(1, 4L, SKB, 0, 0, "a").device(NETNS, 12, 0, 60, 0x0800)
				.ip(4, PacketEvent.TCP, 0x10, 40123, 7700, "10.0.0.1", "10.0.0.2").drop(3, IP_RCV + 0x10, -1).bytes();

		// WHEN
		PacketEvent beforeAnyEntry = decoder.decode(drop);
		decoder.decode(tracked);
		PacketEvent afterAnEntry = decoder.decode(drop);

		// THEN only the drop in a namespace where conntrack runs is its INVALID verdict
		assertThat(beforeAnyEntry.conntrack()).isEmpty();
		assertThat(afterAnEntry.conntrack()).contains(Conntrack.invalid());
		assertThat(io.tracepackets.assertj.error.PwruFormat.line(afterAnEntry, 0))
				.endsWith(" ct INVALID" + System.lineSeparator());
		assertThat(decoder.decode(notNetfilter).conntrack()).as("a NO_SOCKET drop is no conntrack verdict").isEmpty();
	}

	@Test
	void should_read_no_tuple_before_nat_from_the_padding_of_an_untranslated_record() {
		// GIVEN an event without trailers, followed by bytes that would read as a NAT trailer
		ByteBuffer record = record(dnatted(), 0).put(PRE_NAT, 0, EventLayout.PRE_NAT_KEPT);

		// WHEN
		io.tracepackets.internal.record.EventRecord decoded = decoder.decode(record.array());

		// THEN
		assertThat(decoded.wasTranslated()).isFalse();
		assertThat(decoded.preNatDestination()).isNull();
		assertThat(decoded.preNatDestinationPort()).isZero();
	}

	@Test
	void should_decode_the_packet_bytes_after_the_nat_trailer_when_both_follow_the_event() {
		// GIVEN a translated packet's record with 4 captured bytes (Ethernet) after its NAT trailer
		ByteBuffer record = record(dnatted().trailers(EventLayout.TRAILER_NAT | EventLayout.TRAILER_CAPTURE), 16)
				.put(PRE_NAT);
		int capture = EventLayout.SIZE + EventLayout.PRE_NAT_SIZE;
		assertThat(EventLayout.captureOffset(EventLayout.TRAILER_NAT | EventLayout.TRAILER_CAPTURE)).isEqualTo(capture);
		record.putInt(capture + EventLayout.CAPTURE_ORIG_LEN, 74);
		record.putShort(capture + EventLayout.CAPTURE_CAP_LEN, (short) 4);
		record.putShort(capture + EventLayout.CAPTURE_LINK_TYPE, (short) 1);
		record.put(capture + EventLayout.CAPTURE_HEADER_SIZE, new byte[] { 2, 0, 0, 0 });

		// WHEN
		io.tracepackets.internal.record.EventRecord decoded = decoder.decode(record.array());

		// THEN
		assertThat(decoded.preNatDestination()).isEqualTo(InetAddress.ofLiteral("10.96.0.10"));
		assertThat(decoded.packetBytes()).hasValue(new io.tracepackets.PacketBytes(
				io.tracepackets.PacketBytes.Layer.ETHERNET, 74, new byte[] { 2, 0, 0, 0 }));
	}

	@Test
	void should_decode_the_packet_bytes_after_the_event_in_a_longer_record() {
		// GIVEN a record with a capture trailer: raw IP (101), 4 of 60 bytes captured, snap length 16
		ByteBuffer record = record(new RawEvent().header(3, 1L, SKB, 0, 1, "ping").device(NETNS, 0, 0, 60, 0x0800)
				.trailers(EventLayout.TRAILER_CAPTURE), 16);
		record.putInt(EventLayout.SIZE + EventLayout.CAPTURE_ORIG_LEN, 60);
		record.putShort(EventLayout.SIZE + EventLayout.CAPTURE_CAP_LEN, (short) 4);
		record.putShort(EventLayout.SIZE + EventLayout.CAPTURE_LINK_TYPE, (short) 101);
		record.put(EventLayout.SIZE + EventLayout.CAPTURE_HEADER_SIZE, new byte[] { 0x45, 0, 0, 60 });

		// WHEN
		io.tracepackets.internal.record.EventRecord decoded = decoder.decode(record.array());

		// THEN
		assertThat(decoded.packetBytes()).hasValue(new io.tracepackets.PacketBytes(io.tracepackets.PacketBytes.Layer.IP,
				60, new byte[] { 0x45, 0, 0, 60 }));
	}

	@Test
	void should_decode_no_packet_bytes_from_an_event_alone_or_a_zeroed_trailer() {
		// GIVEN the same event as a bare record, and padded with zeros as the store pads short records,
		// with and without the capture bit (a capture that found no bytes leaves its trailer zeroed)
		byte[] event = new RawEvent().header(3, 1L, SKB, 0, 1, "ping").device(NETNS, 0, 0, 60, 0x0800).bytes();
		byte[] padded = java.util.Arrays.copyOf(event, EventLayout.recordSize(16));
		byte[] flagged = new RawEvent().header(3, 1L, SKB, 0, 1, "ping").device(NETNS, 0, 0, 60, 0x0800)
				.trailers(EventLayout.TRAILER_CAPTURE).bytes();
		byte[] flaggedPadded = java.util.Arrays.copyOf(flagged, EventLayout.recordSize(16));

		// THEN
		assertThat(decoder.decode(event).packetBytes()).isEmpty();
		assertThat(decoder.decode(padded).packetBytes()).isEmpty();
		assertThat(decoder.decode(flagged).packetBytes()).isEmpty();
		assertThat(decoder.decode(flaggedPadded).packetBytes()).isEmpty();
	}

	@Test
	void should_decode_an_ipv6_tcp_packet_with_its_flags() {
		// GIVEN net_dev_start_xmit of [fd00::1]:80 > [fd00::2]:50000, SYN+ACK, on an interface without a name
		byte[] record = new RawEvent()
				.header(5, 10L, SKB, 65535, 7, "nginx")
				.device(NETNS, 7, 0, 80, 0x86dd)
				.ip(6, PacketEvent.TCP, 0x12, 80, 50000, "fd00::1", "fd00::2")
				.bytes();

		// WHEN
		PacketEvent event = decoder.decode(record);

		// THEN
		assertThat(event).isEqualTo(new io.tracepackets.internal.record.EventRecord(10L, 65535, 7, "nginx", SKB, "net_dev_start_xmit",
				ProbeKind.TRACEPOINT, NETNS, 7, null, 0, 80, 0x86dd, 6, InetAddress.ofLiteral("fd00::1"),
				InetAddress.ofLiteral("fd00::2"), PacketEvent.TCP, 80, 50000, -1, -1, 0x12, null, null, null, null, null, List.of()));
		assertThat(event.protocolName()).isEqualTo("tcp");
	}

	@Test
	void should_decode_icmp_type_and_code_from_the_port_fields() {
		// GIVEN an ICMP echo request (type 8 code 0) and a port unreachable (type 3 code 3)
		byte[] echo = new RawEvent()
				.header(3, 1L, SKB, 0, 0, "ping")
				.device(NETNS, 12, 0, 84, 0x0800)
				.ip(4, PacketEvent.ICMP, 0, 8, 0, "10.0.0.1", "10.0.0.2")
				.bytes();
		byte[] unreachable = new RawEvent()
				.header(3, 2L, SKB + 0x100, 0, 0, "swapper/0")
				.device(NETNS, 12, 0, 112, 0x0800)
				.ip(4, PacketEvent.ICMP, 0, 3, 3, "10.0.0.2", "10.0.0.1")
				.bytes();

		// WHEN
		PacketEvent echoEvent = decoder.decode(echo);
		PacketEvent unreachableEvent = decoder.decode(unreachable);

		// THEN
		assertThat(echoEvent.l4Protocol()).isEqualTo(PacketEvent.ICMP);
		assertThat(echoEvent.protocolName()).isEqualTo("icmp");
		assertThat(echoEvent.icmpType()).as("type").isEqualTo(8);
		assertThat(echoEvent.icmpCode()).as("code").isZero();
		assertThat(echoEvent.sourcePort()).as("no ports").isZero();
		assertThat(unreachableEvent.icmpType()).as("type").isEqualTo(3);
		assertThat(unreachableEvent.icmpCode()).as("code").isEqualTo(3);
		assertThat(unreachableEvent.source()).isEqualTo(InetAddress.ofLiteral("10.0.0.2"));
	}

	@Test
	void should_decode_a_packet_without_ip_header_without_addresses() {
		// GIVEN an ARP packet: ip_version 0, whatever bytes lie in the address fields
		byte[] record = new RawEvent()
				.header(3, 5L, SKB, 1, 0, "swapper/1")
				.device(NETNS, 12, 0, 42, 0x0806)
				.ip(0, 0, 0, 0, 0, "10.9.9.9", "10.8.8.8")
				.bytes();

		// WHEN
		PacketEvent event = decoder.decode(record);

		// THEN
		assertThat(event.ipVersion()).isZero();
		assertThat(event.etherType()).isEqualTo(0x0806);
		assertThat(event.source()).isNull();
		assertThat(event.destination()).isNull();
		assertThat(event.protocolName()).isEmpty();
	}

	@Test
	void should_decode_a_drop_with_its_reason_location_and_stack() {
		// GIVEN kfree_skb with reason 7, freed at nf_hook_slow+0x7d, stack 5
		byte[] record = new RawEvent()
				.header(1, 99L, SKB, 2, 0, "swapper/2")
				.datagramOnEth0()
				.drop(7, NF_HOOK_SLOW + 0x7d, 5)
				.bytes();

		// WHEN
		PacketEvent event = decoder.decode(record);

		// THEN
		assertThat(event.where()).isEqualTo("kfree_skb");
		assertThat(event.kind()).isEqualTo(ProbeKind.TRACEPOINT);
		assertThat(event.isDrop()).isTrue();
		assertThat(event.dropReason()).isEqualTo(DropReason.NETFILTER_DROP);
		assertThat(event.location()).isEqualTo("nf_hook_slow+0x7d");
		assertThat(event.locationFunction()).hasValue("nf_hook_slow");
		assertThat(event.stack()).containsExactly("kfree_skb_reason+0x8a", "nft_do_chain+0x10 [nf_tables]",
				"nf_hook_slow+0x7d", "ip_rcv+0x5c", "__netif_receive_skb_core+0x123");
		assertThat(event.stackFunctions()).containsExactly("kfree_skb_reason", "nft_do_chain", "nf_hook_slow",
				"ip_rcv", "__netif_receive_skb_core");
	}

	@Test
	void should_skip_stack_frames_outside_kernel_text_and_look_each_stack_up_once() {
		// GIVEN two drops with the same stack, whose first frames are the BPF program and a trampoline
		byte[] first = new RawEvent().header(1, 1L, SKB, 0, 0, "a").drop(3, IP_RCV + 0x20, 5).bytes();
		byte[] second = new RawEvent().header(1, 2L, SKB + 8, 0, 0, "b").drop(3, IP_RCV + 0x20, 5).bytes();

		// WHEN
		List<String> firstStack = decoder.decode(first).stack();
		List<String> secondStack = decoder.decode(second).stack();

		// THEN no bpf_prog_..., no bpf_trampoline_..., no unknown 0x1000
		assertThat(firstStack).containsExactly("kfree_skb_reason+0x8a", "nft_do_chain+0x10 [nf_tables]",
				"nf_hook_slow+0x7d", "ip_rcv+0x5c", "__netif_receive_skb_core+0x123");
		assertThat(secondStack).isEqualTo(firstStack);
		assertThat(stackLookups).containsExactly(5);
	}

	@Test
	void should_leave_the_stack_empty_without_a_stack_id() {
		// GIVEN a drop whose stack could not be taken (stack_id -1)
		byte[] record = new RawEvent().header(1, 1L, SKB, 0, 0, "a").drop(3, IP_RCV + 0x20, -1).bytes();

		// WHEN
		PacketEvent event = decoder.decode(record);

		// THEN
		assertThat(event.stack()).isEmpty();
		assertThat(stackLookups).isEmpty();
		assertThat(event.location()).isEqualTo("ip_rcv+0x20");
		assertThat(event.dropReason()).isEqualTo(DropReason.NO_SOCKET);
	}

	@Test
	void should_show_an_unknown_location_as_hex_and_no_location_as_null() {
		// GIVEN drops freed at an address kallsyms does not know, and at no address
		byte[] unknown = new RawEvent().header(1, 1L, SKB, 0, 0, "a").drop(2, 0x1234L, -1).bytes();
		byte[] none = new RawEvent().header(1, 2L, SKB, 0, 0, "a").drop(2, 0, -1).bytes();

		// WHEN
		PacketEvent unknownEvent = decoder.decode(unknown);
		PacketEvent noneEvent = decoder.decode(none);

		// THEN
		assertThat(unknownEvent.location()).isEqualTo("0x1234");
		assertThat(noneEvent.location()).isNull();
		assertThat(noneEvent.locationFunction()).isEmpty();
	}

	@Test
	void should_name_an_unknown_drop_reason_by_its_value() {
		// GIVEN reason 42, which this kernel's enum skb_drop_reason does not have
		byte[] record = new RawEvent().header(1, 1L, SKB, 0, 0, "a").drop(42, NF_HOOK_SLOW, -1).bytes();

		// WHEN
		PacketEvent event = decoder.decode(record);

		// THEN reason#42, made a valid name
		assertThat(event.dropReason()).isEqualTo(DropReason.named("REASON_42"));
		assertThat(event.dropReason().name()).isEqualTo("REASON_42");
	}

	@Test
	void should_name_a_function_probe_by_kallsyms_without_drop_fields() {
		// GIVEN probe 16 (a function) at ip_rcv's address, with drop fields that mean nothing here
		byte[] record = new RawEvent()
				.header(EventLayout.PROBE_FUNCTION, 7L, SKB, 0, 0, "swapper/0")
				.datagramOnEth0()
				.drop(7, IP_RCV, 5)
				.bytes();

		// WHEN
		PacketEvent event = decoder.decode(record);

		// THEN
		assertThat(event.where()).isEqualTo("ip_rcv");
		assertThat(event.kind()).isEqualTo(ProbeKind.FUNCTION);
		assertThat(event.isDrop()).isFalse();
		assertThat(event.dropReason()).isNull();
		assertThat(event.location()).isNull();
		assertThat(event.stack()).isEmpty();
		assertThat(stackLookups).isEmpty();
	}

	@Test
	void should_decode_a_function_return_with_its_value_from_the_drop_reason_field() {
		// GIVEN probe 17 (a function's return) at nf_hook_slow's address: -EPERM where a drop's reason would be
		byte[] record = new RawEvent()
				.header(EventLayout.PROBE_FUNCTION_RETURN, 7L, SKB, 0, 0, "swapper/0")
				.datagramOnEth0()
				.drop(-1, NF_HOOK_SLOW, -1)
				.bytes();

		// WHEN
		PacketEvent event = decoder.decode(record);

		// THEN a return, not a drop, with the packet's fields as it entered
		assertThat(event.where()).isEqualTo("nf_hook_slow");
		assertThat(event.kind()).isEqualTo(ProbeKind.FUNCTION_RETURN);
		assertThat(event.returned()).contains(new ReturnValue("nf_hook_slow", -1, "-EPERM"));
		assertThat(event.returned().orElseThrow()).hasToString("-EPERM (drop)");
		assertThat(event.isDrop()).isFalse();
		assertThat(event.dropReason()).isNull();
		assertThat(event.location()).isNull();
		assertThat(event.destinationPort()).isEqualTo(9000);
	}

	@Test
	void should_name_ip_route_input_noref_s_positive_return_as_a_drop_reason_as_since_6_13() {
		// GIVEN ip_route_input_noref returned 3: on 6.13+ an enum skb_drop_reason
		byte[] record = new RawEvent()
				.header(EventLayout.PROBE_FUNCTION_RETURN, 7L, SKB, 0, 0, "swapper/0")
				.datagramOnEth0()
				.drop(3, IP_ROUTE_INPUT_NOREF, -1)
				.bytes();

		// WHEN
		PacketEvent event = decoder.decode(record);

		// THEN
		assertThat(event.returned()).contains(new ReturnValue("ip_route_input_noref", 3, "NO_SOCKET"));
		assertThat(event.returned().orElseThrow().isError()).isTrue();
	}

	@Test
	void should_leave_other_events_without_a_return_value() {
		// GIVEN a function's entry
		byte[] record = new RawEvent().header(EventLayout.PROBE_FUNCTION, 7L, SKB, 0, 0, "a")
				.drop(-1, NF_HOOK_SLOW, -1).bytes();

		// WHEN / THEN
		assertThat(decoder.decode(record).returned()).isEmpty();
	}

	@Test
	void should_name_a_function_probe_at_an_unknown_address_by_the_address() {
		// GIVEN
		byte[] record = new RawEvent().header(EventLayout.PROBE_FUNCTION, 7L, SKB, 0, 0, "a").drop(0, 0x42L, -1)
				.bytes();

		// WHEN
		PacketEvent event = decoder.decode(record);

		// THEN
		assertThat(event.where()).isEqualTo("0x42");
		assertThat(event.kind()).isEqualTo(ProbeKind.FUNCTION);
	}

	@Test
	void should_name_tracepoints_by_their_probe_id_and_unknown_ids_by_number() {
		// GIVEN consume_skb (with a stray drop reason) and an id no tracepoint has
		byte[] consume = new RawEvent().header(2, 1L, SKB, 0, 0, "a").drop(7, NF_HOOK_SLOW, 5).bytes();
		byte[] unknown = new RawEvent().header(12, 2L, SKB, 0, 0, "a").bytes();
		byte[] copy = new RawEvent().header(7, 3L, SKB, 0, 0, "a").bytes();

		// WHEN
		PacketEvent consumeEvent = decoder.decode(consume);
		PacketEvent unknownEvent = decoder.decode(unknown);
		PacketEvent copyEvent = decoder.decode(copy);

		// THEN
		assertThat(consumeEvent.where()).isEqualTo("consume_skb");
		assertThat(consumeEvent.isConsumed()).isTrue();
		assertThat(consumeEvent.dropReason()).isNull();
		assertThat(consumeEvent.location()).isNull();
		assertThat(unknownEvent.where()).isEqualTo("probe#12");
		assertThat(copyEvent.where()).isEqualTo("skb_copy_datagram_iovec");
	}

	@Test
	void should_trim_comm_at_its_nul_and_keep_a_comm_that_fills_the_field() {
		// GIVEN "ping" followed by a NUL and stale bytes; a 16-character comm without NUL
		byte[] shortComm = new RawEvent().header(3, 1L, SKB, 0, 0, "ping\0stale-bytes").bytes();
		byte[] fullComm = new RawEvent().header(3, 1L, SKB, 0, 0, "kworker/u16:1-ev").bytes();

		// WHEN
		String trimmed = decoder.decode(shortComm).comm();
		String full = decoder.decode(fullComm).comm();

		// THEN
		assertThat(trimmed).isEqualTo("ping");
		assertThat(full).isEqualTo("kworker/u16:1-ev");
	}

	@Test
	void should_not_resolve_an_interface_for_ifindex_0() {
		// GIVEN a locally generated skb without a device yet
		byte[] record = new RawEvent().header(3, 1L, SKB, 0, 0, "a").device(NETNS, 0, 0, 60, 0x0800).bytes();

		// WHEN
		PacketEvent event = decoder.decode(record);

		// THEN
		assertThat(event.ifindex()).isZero();
		assertThat(event.interfaceName()).isNull();
		assertThat(interfaceLookups).isEmpty();
	}

	/** A raw {@code struct tp_event}, little-endian, as the BPF programs write it. */
	private static final class RawEvent {

		private final ByteBuffer buffer = ByteBuffer.allocate(EventLayout.SIZE).order(ByteOrder.LITTLE_ENDIAN);

		RawEvent() {
			buffer.putShort(EventLayout.STACK_ID, (short) -1);
		}

		RawEvent header(int probe, long timestamp, long skb, int cpu, int pid, String comm) {
			buffer.put(EventLayout.PROBE, (byte) probe);
			buffer.putLong(EventLayout.TS_NS, timestamp);
			buffer.putLong(EventLayout.SKB, skb);
			buffer.putShort(EventLayout.CPU, (short) cpu);
			buffer.putInt(EventLayout.PID, pid);
			byte[] bytes = comm.getBytes(StandardCharsets.UTF_8);
			assertThat(bytes.length).isLessThanOrEqualTo(EventLayout.COMM_LEN);
			buffer.put(EventLayout.COMM, bytes);
			return this;
		}

		RawEvent device(long netns, int ifindex, int mark, int length, int protocol) {
			buffer.putInt(EventLayout.NETNS, (int) netns);
			buffer.putInt(EventLayout.IFINDEX, ifindex);
			buffer.putInt(EventLayout.MARK, mark);
			buffer.putInt(EventLayout.LEN, length);
			buffer.putShort(EventLayout.PROTOCOL, (short) protocol);
			return this;
		}

		RawEvent ip(int version, int protocol, int tcpFlags, int sport, int dport, String source, String destination) {
			buffer.put(EventLayout.IP_VERSION, (byte) version);
			buffer.put(EventLayout.L4_PROTO, (byte) protocol);
			buffer.put(EventLayout.TCP_FLAGS, (byte) tcpFlags);
			buffer.putShort(EventLayout.SPORT, (short) sport);
			buffer.putShort(EventLayout.DPORT, (short) dport);
			buffer.put(EventLayout.SADDR, InetAddress.ofLiteral(source).getAddress());
			buffer.put(EventLayout.DADDR, InetAddress.ofLiteral(destination).getAddress());
			return this;
		}

		RawEvent drop(int reason, long location, int stackId) {
			buffer.putInt(EventLayout.DROP_REASON, reason);
			buffer.putLong(EventLayout.LOCATION, location);
			buffer.putShort(EventLayout.STACK_ID, (short) stackId);
			return this;
		}

		/** On eth0 (ifindex 12) of {@link #NETNS}, 60 bytes: UDP 10.0.0.1:40000 > 10.0.0.2:9000. */
		RawEvent datagramOnEth0() {
			return device(NETNS, 12, 0, 60, 0x0800).ip(4, PacketEvent.UDP, 0, 40000, 9000, "10.0.0.1", "10.0.0.2");
		}

		RawEvent conntrack(int ct) {
			buffer.put(EventLayout.CT, (byte) ct);
			return this;
		}

		RawEvent trailers(int trailers) {
			buffer.put(EventLayout.TRAILERS, (byte) trailers);
			return this;
		}

		byte[] bytes() {
			return buffer.array();
		}
	}

	/** 10.0.0.1:40000 > 10.0.0.2:9000 sent by curl, as DNAT left it: sent to 10.96.0.10:80 ({@link #PRE_NAT}). */
	private static RawEvent dnatted() {
		return new RawEvent().header(4, 1L, SKB, 0, 1, "curl").device(NETNS, 0, 0, 60, 0x0800)
				.ip(4, PacketEvent.UDP, 0, 40000, 9000, "10.0.0.1", "10.0.0.2");
	}

	/** A record of the store's size for a snap length of {@code snapLength}, beginning with {@code event}. */
	private static ByteBuffer record(RawEvent event, int snapLength) {
		return ByteBuffer.allocate(EventLayout.recordSize(snapLength)).order(ByteOrder.LITTLE_ENDIAN).put(event.bytes());
	}

	/** A raw {@code struct tp_pre_nat}, the NAT trailer. */
	private static byte[] preNat(String source, String destination, int sport, int dport, int nat) {
		ByteBuffer trailer = ByteBuffer.allocate(EventLayout.PRE_NAT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
		trailer.put(EventLayout.PRE_NAT_SADDR, InetAddress.ofLiteral(source).getAddress());
		trailer.put(EventLayout.PRE_NAT_DADDR, InetAddress.ofLiteral(destination).getAddress());
		trailer.putShort(EventLayout.PRE_NAT_SPORT, (short) sport);
		trailer.putShort(EventLayout.PRE_NAT_DPORT, (short) dport);
		trailer.put(EventLayout.PRE_NAT_NAT, (byte) nat);
		return trailer.array();
	}
}
