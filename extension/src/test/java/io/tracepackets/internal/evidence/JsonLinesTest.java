package io.tracepackets.internal.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.DropReason;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketEvents;
import io.tracepackets.PacketPath;
import io.tracepackets.internal.window.PathAssembler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesTest {

	private static final PacketEvents UDP = PacketEvents.udp("10.0.0.1", 40000, "10.0.0.2", 9000).iface(12, "eth0")
			.process(1, 0, "swapper/1");

	@Test
	void should_write_one_object_per_event_with_the_documented_fields() throws IOException {
		// GIVEN a datagram received and dropped by netfilter
		PacketEvent received = UDP.at(1_000, "netif_receive_skb");
		PacketEvent dropped = UDP.dropped(2_000, DropReason.NETFILTER_DROP, "nf_hook_slow+0x7d", "nf_hook_slow+0x7d",
				"ip_local_deliver+0x40");
		List<PacketEvent> events = List.of(received, dropped);
		List<PacketPath> paths = PathAssembler.group(events);

		// WHEN
		String first = JsonLines.line(received, 0);
		String drop = JsonLines.line(dropped, 0);

		// THEN
		assertThat(first).isEqualTo("{\"ts_ns\":1000,\"packet\":0,\"skb\":\"0xffff888004a3c000\",\"where\":\"netif_receive_skb\","
				+ "\"probe\":\"tracepoint\",\"cpu\":1,\"pid\":0,\"comm\":\"swapper/1\",\"netns\":4026532001,\"ifindex\":12,"
				+ "\"iface\":\"eth0\",\"len\":60,\"mark\":0,\"ethertype\":\"0x0800\",\"ip_version\":4,\"src\":\"10.0.0.1\","
				+ "\"dst\":\"10.0.0.2\",\"proto\":\"udp\",\"sport\":40000,\"dport\":9000}");
		assertThat(drop).endsWith(",\"drop_reason\":\"NETFILTER_DROP\",\"drop_kind\":\"lost\",\"drop_kind_why\":"
				+ "\"NETFILTER_DROP: dropped by a netfilter rule or policy\",\"diagnosis\":\"a netfilter rule or chain"
				+ " policy dropped it (iptables/nftables)\",\"location\":\"nf_hook_slow+0x7d\",\"stack\":"
				+ "[\"nf_hook_slow+0x7d\",\"ip_local_deliver+0x40\"]}");
		assertThat(paths).hasSize(1);
	}

	@Test
	void should_write_an_overlays_outer_headers_beside_the_pods_tuple() {
		// GIVEN a pod's datagram on the underlay, in VXLAN between two nodes
		PacketEvent encapsulated = PacketEvents.udp("10.244.1.2", 40000, "10.244.2.2", 7000)
				.encapsulatedIn("192.168.77.1", 42234, "192.168.77.2", 4789, 1).at(1_000, "net_dev_queue");

		// WHEN / THEN the pod's tuple as src and dst, the outer headers in their own fields
		assertThat(JsonLines.line(encapsulated, 0)).contains("\"src\":\"10.244.1.2\",\"dst\":\"10.244.2.2\"")
				.contains(",\"encap\":\"vxlan\",\"outer_src\":\"192.168.77.1\",\"outer_dst\":\"192.168.77.2\","
						+ "\"outer_sport\":42234,\"outer_dport\":4789,\"vni\":1");
	}

	@Test
	void should_cut_at_the_limit_and_say_so_in_the_first_line(@TempDir Path dir) throws IOException {
		// GIVEN three events
		List<PacketEvent> events = List.of(UDP.at(1, "net_dev_queue"), UDP.at(2, "net_dev_start_xmit"),
				UDP.at(3, "netif_rx"));
		Path file = dir.resolve("trace.jsonl");

		// WHEN at most two may be written
		int written = JsonLines.write(file, events, PathAssembler.group(events), 2, java.util.Map.of());

		// THEN
		assertThat(written).isEqualTo(2);
		List<String> lines = Files.readAllLines(file);
		assertThat(lines).hasSize(3);
		assertThat(lines.getFirst()).isEqualTo("{\"schema\":1,\"events\":3,\"written\":2}");
		assertThat(lines.get(1)).contains("\"where\":\"net_dev_queue\"");
	}

	@Test
	void should_escape_what_json_cannot_hold_raw() {
		// GIVEN a process name with a quote, a backslash and a control character
		PacketEvent odd = UDP.process(1, 0, "a\"b\\c\u0001").at(1, "netif_rx");

		// WHEN / THEN
		assertThat(JsonLines.line(odd, null)).contains("\"comm\":\"a\\\"b\\\\c\\u0001\"").doesNotContain("\"packet\"");
	}

	@Test
	void should_add_the_packet_bytes_as_hex_when_the_event_has_them() {
		// GIVEN an event with the first 4 bytes of a 60-byte IP packet
		PacketEvent event = PacketEvents.withBytes(UDP.at(1_000, "ip_output"), new io.tracepackets.PacketBytes(
				io.tracepackets.PacketBytes.Layer.IP, 60, new byte[] { 0x45, 0, 0, 60 }));

		// WHEN
		String line = JsonLines.line(event, null);

		// THEN
		assertThat(line).endsWith(",\"bytes_layer\":\"ip\",\"bytes_orig_len\":60,\"bytes\":\"4500003c\"}");
		assertThat(JsonLines.line(UDP.at(1_000, "ip_output"), null)).doesNotContain("bytes");
	}

	@Test
	void should_add_what_a_function_returned_to_its_return_event() {
		// GIVEN the route lookup refused the datagram
		PacketEvent event = UDP.returned(1_000, "ip_route_input_noref", -113);

		// WHEN
		String line = JsonLines.line(event, null);

		// THEN
		assertThat(line).contains("\"where\":\"ip_route_input_noref\",\"probe\":\"function_return\",")
				.contains(",\"returned\":-113,\"returned_text\":\"-EHOSTUNREACH\"");
		assertThat(Pcapng.comment(event, 3)).startsWith("ip_route_input_noref (function_return) ")
				.contains(" returned -EHOSTUNREACH");
		assertThat(JsonLines.line(UDP.at(1_000, "ip_output"), null)).doesNotContain("returned");
	}

	@Test
	void should_add_the_journey_and_the_tuple_before_nat_when_the_kernel_gave_them() {
		// GIVEN a datagram sent to 10.10.20.99:7600 and DNATed to 10.0.0.2:9000, on journey 0x2a
		PacketEvent event = UDP.journey(0x2a).translatedFrom("10.0.0.1", 40000, "10.10.20.99", 7600).at(1_000,
				"ip_output");

		// WHEN
		String line = JsonLines.line(event, null);

		// THEN
		assertThat(line).contains("\"skb\":").contains(",\"journey\":\"2a\",")
				.contains(",\"pre_nat_src\":\"10.0.0.1\",\"pre_nat_dst\":\"10.10.20.99\",\"pre_nat_sport\":40000,"
						+ "\"pre_nat_dport\":7600");
		assertThat(Pcapng.comment(event, 3)).contains(" packet 3 journey 2a before NAT 10.10.20.99:7600");
		assertThat(JsonLines.line(UDP.at(1_000, "ip_output"), null)).doesNotContain("journey").doesNotContain("pre_nat");
	}

	@Test
	void should_add_the_conntrack_entry_when_the_skb_carries_one() {
		// GIVEN a reply of a DNATed connection in zone 3, and the drop of a segment conntrack refused
		PacketEvent reply = UDP.conntrack(new io.tracepackets.Conntrack(io.tracepackets.ConntrackState.ESTABLISHED, true,
				true, false, true, 3, 0)).at(1_000, "net_dev_queue");
		PacketEvent refused = UDP.conntrack(io.tracepackets.Conntrack.invalid()).dropped(2_000,
				DropReason.NETFILTER_DROP, "nf_hook_slow+0x7d");

		// WHEN
		String line = JsonLines.line(reply, null);

		// THEN
		assertThat(line).contains(",\"ct_state\":\"ESTABLISHED\",\"ct_reply\":true,\"ct_confirmed\":true,"
				+ "\"ct_dnat\":true,\"ct_zone\":3,\"ct_mark\":0");
		assertThat(JsonLines.line(refused, null)).contains(",\"ct_state\":\"INVALID\",\"ct_confirmed\":false,");
		assertThat(Pcapng.comment(reply, 3)).contains(" packet 3 ct ESTABLISHED reply confirmed dnat zone 3");
		assertThat(JsonLines.line(UDP.at(1_000, "ip_output"), null)).doesNotContain("ct_");
	}

	@Test
	void should_give_two_packets_on_a_reused_skb_address_the_journeys_the_api_gives_them(@TempDir Path dir)
			throws IOException {
		// GIVEN two dropped datagrams on the same skb address, which the kernel gave the same journey id:
		// the allocator handed address and buffer back at once
		PacketEvents first = UDP.journey(0xc88f589888f7257dL);
		List<PacketEvent> events = List.of(first.at(1, "netif_receive_skb"),
				first.dropped(2, DropReason.NO_SOCKET, "__udp4_lib_rcv+0x9c4"), first.at(3, "netif_receive_skb"),
				first.dropped(4, DropReason.NO_SOCKET, "__udp4_lib_rcv+0x9c4"));
		List<PacketPath> paths = PathAssembler.group(events);
		Path jsonl = dir.resolve("trace.jsonl");
		Path pcapng = dir.resolve("trace.pcapng");

		// WHEN
		JsonLines.write(jsonl, events, paths, 100, java.util.Map.of());
		Pcapng.write(pcapng, events, paths, 100, java.util.Map.of());

		// THEN two journeys in the API, with two ids, and the same two ids in both files
		assertThat(paths).hasSize(2);
		long second = paths.get(1).journey();
		assertThat(paths.get(0).journey()).isEqualTo(0xc88f589888f7257dL);
		assertThat(second).isNotIn(0L, 0xc88f589888f7257dL);
		List<String> lines = Files.readAllLines(jsonl);
		assertThat(lines.subList(1, 3)).allSatisfy(line -> assertThat(line).contains("\"journey\":\"c88f589888f7257d\""));
		assertThat(lines.subList(3, 5)).allSatisfy(line -> assertThat(line)
				.contains("\"journey\":\"" + Long.toHexString(second) + "\""));
		String pcapText = new String(Files.readAllBytes(pcapng), java.nio.charset.StandardCharsets.ISO_8859_1);
		assertThat(pcapText).contains("journey c88f589888f7257d").contains("journey " + Long.toHexString(second));
	}
}
