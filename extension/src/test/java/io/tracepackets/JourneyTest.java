package io.tracepackets;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.assertj.error.PwruFormat;
import io.tracepackets.internal.window.PathAssembler;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JourneyTest {

	private static final long JOURNEY = 0x5f3a_9c2e_1b47_d680L;
	private static final long LEFT = 4026532247L;
	private static final long RIGHT = 4026532316L;
	/** Sent to the virtual address, as the function probes see it before OUTPUT's DNAT. */
	private static final PacketEvents SENT = PacketEvents.udp("10.231.0.1", 51470, "10.10.20.99", 7600)
			.journey(JOURNEY).netns(LEFT);
	/** After DNAT, with conntrack's record of the tuple before it. */
	private static final PacketEvents DNATED = SENT.rewrittenTo("10.231.0.1", 51470, "10.231.0.2", 7600)
			.translatedFrom("10.231.0.1", 51470, "10.10.20.99", 7600);
	/** In the peer namespace: the veth cleared the conntrack entry, the journey id stays. */
	private static final PacketEvents ARRIVED = PacketEvents.udp("10.231.0.1", 51470, "10.231.0.2", 7600)
			.journey(JOURNEY).netns(RIGHT);

	@Test
	void should_keep_a_dnated_packet_on_one_path_from_before_the_rewrite_to_the_peer() {
		// GIVEN function events before DNAT, after it, and in the peer namespace
		List<PacketEvent> events = List.of(SENT.function(1, "__ip_local_out"), SENT.function(2, "nf_hook_slow"),
				DNATED.function(3, "ip_output"), DNATED.at(4, "net_dev_queue"), DNATED.function(5, "veth_xmit"),
				ARRIVED.at(6, "netif_rx"), ARRIVED.at(7, "netif_receive_skb"), ARRIVED.consumed(8));

		// WHEN
		List<PacketPath> paths = PathAssembler.group(events);

		// THEN one path, one journey, found by the address it was sent to
		assertThat(paths).hasSize(1);
		assertThat(paths.getFirst().events()).hasSize(8);
		assertThat(udp().dst("10.10.20.99").dstPort(7600).matches(paths.getFirst())).isTrue();
		List<Journey> journeys = Journey.group(paths);
		assertThat(journeys).singleElement().satisfies(journey -> {
			assertThat(journey.id()).isEqualTo(JOURNEY);
			assertThat(journey.translations()).singleElement().hasToString("10.10.20.99:7600 → 10.231.0.2:7600 at ip_output");
			assertThat(journey.translations().getFirst().isTo(InetAddress.getByName("10.231.0.2"), 7600)).isTrue();
			assertThat(journey.reached("veth_xmit")).isTrue();
		});
	}

	@Test
	void should_count_one_translation_when_nf_hook_slow_returns_after_its_nat_rewrote_the_packet() {
		// GIVEN DNAT inside nf_hook_slow, seen at ip_route_me_harder, then nf_hook_slow's return,
		// whose event shows the packet as it entered (before the DNAT)
		List<PacketEvent> events = List.of(SENT.function(1, "nf_hook_slow"),
				DNATED.function(2, "ip_route_me_harder"), SENT.returned(3, "nf_hook_slow", 1),
				DNATED.function(4, "ip_output"), DNATED.at(5, "net_dev_queue"), ARRIVED.at(6, "netif_rx"),
				ARRIVED.consumed(7));

		// WHEN
		List<PacketPath> paths = PathAssembler.group(events);

		// THEN one path, and the one rewrite where it happened, not undone and redone by the return
		assertThat(paths).singleElement().satisfies(path -> assertThat(path.events()).hasSize(7));
		assertThat(Journey.group(paths)).singleElement().satisfies(journey -> assertThat(journey.translations())
				.singleElement().hasToString("10.10.20.99:7600 → 10.231.0.2:7600 at ip_route_me_harder"));
	}

	@Test
	void should_keep_a_packet_translated_twice_on_one_path_dnat_then_hairpin_snat() {
		// GIVEN a pod's datagram to the node's published port (portmap): DNAT'ed to another pod of the
		// same bridge at PREROUTING, then masqueraded at the bridge's POSTROUTING (hairpin). Conntrack
		// records the original tuple for both rewrites, not the tuple between them.
		PacketEvents sent = PacketEvents.udp("10.89.0.2", 50093, "10.89.0.1", 8080).journey(JOURNEY).netns(LEFT);
		PacketEvents dnated = sent.rewrittenTo("10.89.0.2", 50093, "10.89.0.3", 80)
				.translatedFrom("10.89.0.2", 50093, "10.89.0.1", 8080).iface(2, "cni0");
		PacketEvents masqueraded = sent.rewrittenTo("10.89.0.1", 50093, "10.89.0.3", 80)
				.translatedFrom("10.89.0.2", 50093, "10.89.0.1", 8080).iface(4, "veth7485a1bb");
		List<PacketEvent> events = List.of(sent.at(1, "netif_receive_skb"), dnated.at(2, "net_dev_queue"),
				dnated.at(3, "net_dev_start_xmit"), masqueraded.at(4, "net_dev_queue"),
				masqueraded.at(5, "net_dev_start_xmit"), masqueraded.netns(RIGHT).at(6, "netif_receive_skb"));

		// WHEN
		List<PacketPath> paths = PathAssembler.group(events);

		// THEN one path and one journey, found by the address it was sent to, with both rewrites
		assertThat(paths).singleElement().satisfies(path -> assertThat(path.events()).hasSize(6));
		assertThat(udp().dst("10.89.0.1").dstPort(8080).matches(paths.getFirst())).isTrue();
		assertThat(Journey.group(paths)).singleElement()
				.satisfies(journey -> assertThat(journey.reached("netif_receive_skb")).isTrue());
	}

	@Test
	void should_keep_a_forwarded_segment_that_dnat_rewrote_in_a_private_copy_on_one_path() {
		// GIVEN a client's SYN to a published port, forwarded by the host: received on the host's
		// veth, then DNAT'ed in a private copy of its buffer (TCP's retransmission clone shares the
		// data), which gives it a new kernel id that no tracepoint saw coming, then dropped in FORWARD
		PacketEvents syn = PacketEvents.tcp("10.232.1.2", 50902, "10.232.1.1", 32777, 0x02).journey(JOURNEY)
				.netns(LEFT).iface(1814, "tp1x1h");
		PacketEvents dnated = syn.rewrittenTo("10.232.1.2", 50902, "172.17.0.2", 8080)
				.translatedFrom("10.232.1.2", 50902, "10.232.1.1", 32777).journey(JOURNEY + 1);
		List<PacketEvent> events = List.of(syn.at(1, "netif_rx"), syn.at(2, "netif_receive_skb"),
				dnated.dropped(3, DropReason.NETFILTER_DROP, "nft_do_chain+0x46f"));

		// WHEN
		List<PacketPath> paths = PathAssembler.group(events);

		// THEN one path, dropped, found by where it was sent
		assertThat(paths).singleElement().satisfies(path -> {
			assertThat(path.events()).hasSize(3);
			assertThat(path.drop()).isPresent();
		});
		assertThat(tcp().dst("10.232.1.1").dstPort(32777).matches(paths.getFirst())).isTrue();
	}

	@Test
	void should_not_join_a_later_segment_at_the_same_address_that_enters_the_same_device_again() {
		// GIVEN a segment sent through OUTPUT's DNAT, freed where no probe saw it (TCP's own free),
		// and the next segment of the connection at the same address, with a new id
		PacketEvents first = PacketEvents.tcp("10.231.0.1", 40000, "10.231.0.2", 7600, 0x10).journey(JOURNEY)
				.netns(LEFT).iface(2, "veth0").translatedFrom("10.231.0.1", 40000, "10.10.20.99", 7600);
		PacketEvents second = first.journey(JOURNEY + 1);
		List<PacketEvent> events = List.of(first.at(1, "net_dev_queue"), first.at(2, "net_dev_start_xmit"),
				second.at(3, "net_dev_queue"), second.at(4, "net_dev_start_xmit"));

		// WHEN / THEN two paths: the second entered the device again
		assertThat(PathAssembler.group(events)).hasSize(2);
	}

	@Test
	void should_find_a_packet_seen_only_after_dnat_by_conntracks_tuple() {
		// GIVEN the tracepoints only: the first event already has the new destination
		List<PacketEvent> events = List.of(DNATED.at(1, "net_dev_queue"), DNATED.at(2, "net_dev_start_xmit"),
				ARRIVED.at(3, "netif_rx"), ARRIVED.at(4, "netif_receive_skb"));

		// WHEN
		List<Journey> journeys = Journey.group(PathAssembler.group(events));

		// THEN the translation shows before the first event that saw its result
		assertThat(journeys).singleElement().satisfies(journey -> {
			assertThat(udp().dst("10.10.20.99").dstPort(7600).matches(journey)).isTrue();
			assertThat(udp().dst("10.10.20.98").matches(journey)).isFalse();
			assertThat(journey.translations()).singleElement()
					.hasToString("10.10.20.99:7600 → 10.231.0.2:7600 before net_dev_queue");
		});
	}

	@Test
	void should_split_a_reused_address_whose_tuple_changed_without_conntrack_into_two_journeys() {
		// GIVEN the kernel kept one id (address and buffer reused at once), but the second packet
		// has another tuple and no translation explains it
		PacketEvents other = PacketEvents.udp("10.231.0.1", 51471, "10.231.0.2", 7601).journey(JOURNEY).netns(LEFT);
		List<PacketEvent> events = List.of(SENT.at(1, "net_dev_queue"), SENT.at(2, "net_dev_start_xmit"),
				other.at(3, "net_dev_queue"), other.at(4, "net_dev_start_xmit"));

		// WHEN
		List<Journey> journeys = Journey.group(PathAssembler.group(events));

		// THEN two journeys, the second with an id the reader made up
		assertThat(journeys).hasSize(2);
		assertThat(journeys.get(0).id()).isEqualTo(JOURNEY);
		assertThat(journeys.get(1).id()).isNotIn(0L, JOURNEY);
	}

	@Test
	void should_give_a_packet_that_reuses_a_freed_skbs_address_and_buffer_a_journey_of_its_own() {
		// GIVEN the kernel's id again on the same address after the first packet's free: the
		// allocator handed the address and the buffer back at once
		List<PacketEvent> events = List.of(SENT.at(1, "net_dev_queue"), SENT.consumed(2), SENT.at(3, "net_dev_queue"));

		// WHEN
		List<Journey> journeys = Journey.group(PathAssembler.group(events));

		// THEN
		assertThat(journeys).hasSize(2);
		assertThat(journeys.get(0).id()).isEqualTo(JOURNEY);
		assertThat(journeys.get(1).id()).isNotIn(0L, JOURNEY);
	}

	/** Half the kernel's ids are negative: a 64-bit hash. The reader's own ids must not be told by their sign. */
	@ParameterizedTest
	@ValueSource(longs = {JOURNEY, -JOURNEY})
	void should_put_a_clone_in_the_journey_of_the_packet_its_parent_carries_now(long kernelId) {
		// GIVEN an IPv6 packet freed, its skb's address and buffer reused at once by a multicast
		// datagram (same kernel id), which the receive path clones for a second socket
		PacketEvents solicitation = PacketEvents.icmp("fe80::1", "ff02::2", 133, 0).journey(kernelId);
		PacketEvents datagram = PacketEvents.udp("10.231.4.1", 41011, "239.1.1.1", 7700).journey(kernelId);
		PacketEvents clone = datagram.skb(0xffff88813bd6a700L);
		List<PacketEvent> events = List.of(solicitation.at(1, "net_dev_queue"),
				solicitation.dropped(2, DropReason.NOT_SPECIFIED, "ip6_mc_input+0x1aa"), datagram.at(3, "net_dev_queue"),
				datagram.at(4, "netif_receive_skb"), clone.function(5, "skb_clone"), clone.hook(6, "socket_receive"),
				datagram.hook(7, "socket_receive"));

		// WHEN
		List<Journey> journeys = Journey.group(PathAssembler.group(events));

		// THEN the datagram and its clone are one journey, apart from the solicitation
		assertThat(journeys).hasSize(2);
		assertThat(journeys.get(1).paths()).extracting(PacketPath::skb)
				.containsExactly(PacketEvents.SKB, 0xffff88813bd6a700L);
		assertThat(udp().dstPort(7700).matches(journeys.get(0))).isFalse();
	}

	@Test
	void should_not_put_a_packet_that_inherits_a_stale_copys_id_at_another_address_in_that_journey() {
		// GIVEN a router solicitation, then a multicast datagram at another address that the kernel
		// gives the solicitation's id (its record of an earlier copy of the solicitation at that
		// address, freed unseen), and the clone the receive path makes of the datagram
		PacketEvents solicitation = PacketEvents.icmp("fe80::1", "ff02::2", 133, 0).journey(JOURNEY);
		PacketEvents datagram = PacketEvents.udp("10.231.4.1", 41011, "239.1.1.1", 7700).journey(JOURNEY)
				.skb(0xffff888100853f00L);
		PacketEvents clone = datagram.skb(0xffff888100854500L);
		List<PacketEvent> events = List.of(solicitation.at(1, "net_dev_queue"),
				solicitation.dropped(2, DropReason.NOT_SPECIFIED, "ip6_mc_input+0x180"), datagram.at(3, "net_dev_queue"),
				datagram.at(4, "netif_receive_skb"), datagram.function(5, "skb_clone"), clone.function(6, "skb_clone"),
				clone.hook(7, "socket_receive"), datagram.hook(8, "socket_receive"));

		// WHEN
		List<Journey> journeys = Journey.group(PathAssembler.group(events));

		// THEN the datagram and its clone are one journey, the solicitation another
		assertThat(journeys).hasSize(2);
		assertThat(journeys.get(0).paths()).extracting(PacketPath::skb).containsExactly(PacketEvents.SKB);
		assertThat(journeys.get(1).paths()).extracting(PacketPath::skb)
				.containsExactly(0xffff888100853f00L, 0xffff888100854500L);
	}

	@Test
	void should_show_a_clone_queued_on_a_socket_where_no_tracepoint_saw_it_delivered() {
		// GIVEN a multicast datagram and the clone the receive path made for a second socket, as a
		// function backend sees them before 6.2 (no socket_receive hook, UDP read without a
		// tracepoint): the clone's only other event is the function that queued it on the socket
		PacketEvents datagram = PacketEvents.udp("10.231.4.1", 41011, "239.1.1.1", 7700).journey(JOURNEY);
		PacketEvents clone = datagram.skb(0xffff88813bd6a700L);
		List<PacketEvent> events = List.of(datagram.at(1, "netif_receive_skb"), datagram.function(2, "skb_clone"),
				clone.function(3, "skb_clone"), clone.function(4, "__udp_enqueue_schedule_skb"),
				datagram.function(5, "__udp_enqueue_schedule_skb"));

		// WHEN
		List<Journey> journeys = Journey.group(PathAssembler.group(events));

		// THEN one journey of two skbs
		assertThat(journeys).singleElement().satisfies(journey -> assertThat(journey.paths())
				.extracting(PacketPath::skb).containsExactly(PacketEvents.SKB, 0xffff88813bd6a700L));
	}

	@Test
	void should_leave_out_a_clone_freed_without_going_anywhere() {
		// GIVEN neigh_probe's clone of a packet waiting for ARP: handed to arp_solicit, consumed
		PacketEvents waiting = PacketEvents.udp("10.231.4.1", 41011, "10.231.4.2", 7000).journey(JOURNEY);
		PacketEvents clone = waiting.skb(0xffff88813bd6a700L);
		List<PacketEvent> events = List.of(waiting.at(1, "net_dev_queue"), clone.function(2, "skb_clone"),
				clone.function(3, "arp_solicit"), clone.consumed(4));

		// WHEN
		List<PacketPath> paths = PathAssembler.group(events);

		// THEN only the packet
		assertThat(paths).extracting(PacketPath::skb).containsExactly(PacketEvents.SKB);
	}

	@Test
	void should_keep_a_packet_whose_buffer_generic_xdp_replaced_before_dropping_it_in_one_path() {
		// GIVEN a datagram received on a device with a generic XDP program: generic XDP gives the skb
		// a new head (XDP headroom) before the program runs, so the drop carries another kernel id
		PacketEvents datagram = PacketEvents.udp("10.231.4.1", 41011, "10.231.4.2", 9100).journey(JOURNEY);
		List<PacketEvent> events = List.of(datagram.at(1, "netif_rx"), datagram.at(2, "netif_receive_skb"),
				datagram.journey(JOURNEY + 1).dropped(3, DropReason.NOT_SPECIFIED, "do_xdp_generic+0x29f"));

		// WHEN
		List<PacketPath> paths = PathAssembler.group(events);

		// THEN one dropped packet, in its first journey
		assertThat(paths).singleElement().satisfies(path -> {
			assertThat(path.wasDropped()).isTrue();
			assertThat(path.journey()).isEqualTo(JOURNEY);
		});
	}

	@Test
	void should_keep_a_packet_in_its_journey_across_pskb_expand_head_and_give_later_copies_that_journey() {
		// GIVEN a function backend's view: pskb_expand_head, then the packet with a new kernel id
		// (its new buffer), then a clone of it carrying that new id
		PacketEvents datagram = PacketEvents.udp("10.231.4.1", 41011, "10.231.4.2", 7000).journey(JOURNEY);
		PacketEvents moved = datagram.journey(JOURNEY + 1);
		PacketEvents clone = moved.skb(0xffff88813bd6a700L);
		List<PacketEvent> events = List.of(datagram.at(1, "net_dev_queue"), datagram.function(2, "pskb_expand_head"),
				moved.function(3, "dev_hard_start_xmit"), moved.function(4, "skb_clone"), clone.function(5, "skb_clone"),
				clone.at(6, "netif_receive_skb"));

		// WHEN
		List<Journey> journeys = Journey.group(PathAssembler.group(events));

		// THEN one journey: the packet's path whole, and its clone
		assertThat(journeys).singleElement().satisfies(journey -> {
			assertThat(journey.paths()).extracting(PacketPath::skb).containsExactly(PacketEvents.SKB, 0xffff88813bd6a700L);
			assertThat(journey.paths().getFirst().events()).hasSize(4);
		});
	}

	@Test
	void should_keep_an_overlays_packet_on_one_path_across_the_buffers_forwarding_and_encapsulation_gave_it() {
		// GIVEN a pod's datagram as the tracepoints see it cross a VXLAN overlay: its node forwards it
		// into flannel.1 (ip_forward's skb_cow: a new buffer, a new id), the VXLAN device
		// encapsulates it (another), the other node decapsulates it (another); the probes show the
		// inner tuple throughout
		long node1 = 4026532175L;
		long node2 = 4026532240L;
		PacketEvents pod = PacketEvents.udp("10.244.1.2", 46579, "10.244.2.2", 7000).journey(JOURNEY);
		PacketEvents outer = pod.encapsulatedIn("192.168.77.1", 42234, "192.168.77.2", 4789, 1);
		List<PacketEvent> events = List.of(pod.netns(LEFT).iface(2, "eth0").at(1, "net_dev_queue"),
				pod.netns(node1).iface(5, "veth0").at(2, "netif_receive_skb"),
				pod.netns(node1).iface(4, "cni0").at(3, "netif_receive_skb"),
				pod.journey(JOURNEY + 1).netns(node1).iface(3, "flannel.1").at(4, "net_dev_queue"),
				outer.journey(JOURNEY + 2).netns(node1).iface(2, "eth0").at(5, "net_dev_queue"),
				outer.journey(JOURNEY + 2).netns(node2).iface(2, "eth0").at(6, "netif_receive_skb"),
				pod.journey(JOURNEY + 3).netns(node2).iface(3, "flannel.1").at(7, "netif_receive_skb"),
				pod.journey(JOURNEY + 3).netns(RIGHT).iface(2, "eth0").at(8, "netif_receive_skb"),
				pod.journey(JOURNEY + 3).netns(RIGHT).iface(2, "eth0").hook(9, PacketEvent.SOCKET_RECEIVE));

		// WHEN
		List<PacketPath> paths = PathAssembler.group(events);

		// THEN one packet and one journey from pod to pod, found by the pods' tuple and by the underlay's
		assertThat(paths).singleElement().satisfies(path -> {
			assertThat(path.events()).hasSize(9);
			assertThat(path.journey()).isEqualTo(JOURNEY);
			assertThat(udp().dst("10.244.2.2").dstPort(7000).matches(path)).isTrue();
			assertThat(udp().dst("192.168.77.2").dstPort(4789).matches(path)).isTrue();
		});
		assertThat(Journey.group(paths)).hasSize(1);
	}

	@Test
	void should_keep_an_overlays_ipv4_packet_on_one_path_across_an_ipv6_underlay() {
		// GIVEN a pod's IPv4 datagram encapsulated in IPv6 UDP in the same buffer (its id unchanged):
		// on the underlay the skb's EtherType is IPv6's, its tuple still the pod's
		long node1 = 4026532175L;
		long node2 = 4026532240L;
		PacketEvents pod = PacketEvents.udp("10.244.1.2", 46579, "10.244.2.2", 7000).journey(JOURNEY);
		PacketEvents outer = pod.encapsulatedIn("fd00:77::1", 42234, "fd00:77::2", 4789, 1).etherType(0x86DD);
		List<PacketEvent> events = List.of(pod.netns(node1).iface(3, "flannel.1").at(1, "net_dev_queue"),
				outer.netns(node1).iface(2, "eth0").at(2, "net_dev_queue"),
				outer.netns(node2).iface(2, "eth0").at(3, "netif_receive_skb"),
				pod.netns(node2).iface(3, "flannel.1").at(4, "netif_receive_skb"),
				pod.netns(RIGHT).iface(2, "eth0").hook(5, PacketEvent.SOCKET_RECEIVE));

		// WHEN
		List<PacketPath> paths = PathAssembler.group(events);

		// THEN one packet, found by the pods' tuple and by the underlay's
		assertThat(paths).singleElement().satisfies(path -> {
			assertThat(path.events()).hasSize(5);
			assertThat(udp().ipv6().dst("fd00:77::2").dstPort(4789).matches(path)).isTrue();
		});
	}

	@Test
	void should_keep_a_return_on_the_underlay_in_an_overlays_path_by_its_inner_tuple() {
		// GIVEN a pod's datagram encapsulated on its node, received by the other node's underlay
		// device, where nf_hook_slow accepts it: the return's snapshot has the inner tuple, as the
		// packet's other events there, and no outer headers (the probes keep it one common event)
		long node1 = 4026532175L;
		long node2 = 4026532240L;
		PacketEvents pod = PacketEvents.udp("10.244.1.2", 46579, "10.244.2.2", 7000).journey(JOURNEY);
		PacketEvents outer = pod.encapsulatedIn("192.168.77.1", 42234, "192.168.77.2", 4789, 1);
		PacketEvent returned = pod.journey(JOURNEY + 1).netns(node2).iface(2, "eth0").returned(5, "nf_hook_slow", 1);
		List<PacketEvent> events = List.of(pod.netns(node1).iface(3, "flannel.1").at(1, "net_dev_queue"),
				outer.journey(JOURNEY + 1).netns(node1).iface(2, "eth0").at(2, "net_dev_queue"),
				outer.journey(JOURNEY + 1).netns(node2).iface(2, "eth0").at(3, "netif_receive_skb"),
				outer.journey(JOURNEY + 1).netns(node2).iface(2, "eth0").function(4, "nf_hook_slow"), returned,
				pod.journey(JOURNEY + 2).netns(node2).iface(3, "flannel.1").at(6, "netif_receive_skb"));

		// WHEN
		List<PacketPath> paths = PathAssembler.group(events);

		// THEN the return is on the packet's one path, between the hook's entry and the decapsulation
		assertThat(paths).singleElement().satisfies(path -> {
			assertThat(path.events()).hasSize(6);
			assertThat(path.events().get(4)).isSameAs(returned);
			assertThat(returned.encapsulation()).isEmpty();
			assertThat(returned.returned()).map(ReturnValue::toString).contains("1 (accept)");
		});
		assertThat(Journey.group(paths)).hasSize(1);
	}

	@Test
	void should_not_join_the_next_datagram_of_a_socket_at_the_address_of_one_delivered_before() {
		// GIVEN a datagram delivered to a socket, which freed it where no probe saw it, and the next
		// one of the flow in the allocator's same skb (another buffer): first seen in the receiver's
		// namespace too, on a device it has not entered
		PacketEvents first = PacketEvents.udp("10.231.4.1", 41011, "10.231.4.2", 7000).journey(JOURNEY).netns(RIGHT);
		List<PacketEvent> events = List.of(first.iface(2, "eth0").at(1, "netif_receive_skb"),
				first.iface(2, "eth0").hook(2, PacketEvent.SOCKET_RECEIVE),
				first.journey(JOURNEY + 1).iface(3, "eth1").at(3, "netif_receive_skb"));

		// WHEN / THEN two packets
		assertThat(PathAssembler.group(events)).hasSize(2);
	}

	@Test
	void should_still_tell_a_new_packet_at_a_live_address_by_its_new_id() {
		// GIVEN the same address and tuple, another id, no buffer replaced before it, and the drop in
		// another namespace than the one the first was received in (a packet crosses namespaces only
		// at a device)
		PacketEvents first = PacketEvents.udp("10.231.4.1", 41011, "10.231.4.2", 7000).journey(JOURNEY);
		List<PacketEvent> events = List.of(first.netns(RIGHT).at(1, "netif_receive_skb"),
				first.netns(LEFT).journey(JOURNEY + 1).dropped(2, DropReason.NOT_SPECIFIED, "ip_rcv_finish_core+0x1a"));

		// WHEN / THEN two packets
		assertThat(PathAssembler.group(events)).hasSize(2);
	}

	@Test
	void should_keep_a_datagram_whose_ports_are_not_written_yet_in_one_path() {
		// GIVEN the function backend's first events of a datagram being sent: udp_send_skb sees the
		// IP header before the UDP header is filled in (ports 0), then the whole tuple
		PacketEvents unwritten = PacketEvents.udp("10.231.4.1", 0, "239.1.1.1", 0).journey(-JOURNEY);
		PacketEvents datagram = PacketEvents.udp("10.231.4.1", 41011, "239.1.1.1", 7700).journey(-JOURNEY);
		List<PacketEvent> events = List.of(unwritten.function(1, "udp_send_skb"), datagram.function(2, "udp4_hwcsum"),
				datagram.at(3, "net_dev_queue"));

		// WHEN
		List<PacketPath> paths = PathAssembler.group(events);

		// THEN one packet, from the send on, in the kernel's journey, which filling in its header
		// did not translate
		assertThat(paths).singleElement().satisfies(path -> {
			assertThat(path.events()).extracting(PacketEvent::where)
					.containsExactly("udp_send_skb", "udp4_hwcsum", "net_dev_queue");
			assertThat(path.journey()).isEqualTo(-JOURNEY);
			assertThat(path.translations()).isEmpty();
		});
	}

	@Test
	void should_start_a_new_path_when_the_kernel_gives_the_address_another_journey() {
		// GIVEN the same address and tuple, another journey id (the kernel saw a new buffer), first seen
		// in another namespace: not this packet's buffer grown on its way through one (a veth keeps it)
		List<PacketEvent> events = List.of(SENT.at(1, "net_dev_queue"),
				SENT.journey(JOURNEY + 1024).netns(RIGHT).at(2, "netif_rx"));

		// WHEN
		List<PacketPath> paths = PathAssembler.group(events);

		// THEN
		assertThat(paths).extracting(PacketPath::journey).containsExactly(JOURNEY, JOURNEY + 1024);
	}

	@Test
	void should_render_where_the_tuple_changed_after_the_path() {
		// GIVEN
		List<PacketPath> paths = PathAssembler.group(List.of(SENT.function(1_000, "nf_hook_slow"),
				DNATED.function(2_000, "ip_output"), DNATED.at(3_000, "net_dev_queue")));

		// WHEN
		String text = PwruFormat.render(paths, 0, inode -> null);

		// THEN
		assertThat(text).contains("10.231.0.1:51470 > 10.10.20.99:7600 udp", "10.231.0.1:51470 > 10.231.0.2:7600 udp")
				.endsWith("  ↳ 10.10.20.99:7600 → 10.231.0.2:7600 at ip_output\n");
	}

	@Test
	void should_time_a_journey_across_its_skbs_in_time_order() {
		// GIVEN a datagram whose receive path cloned it for a second socket, the clone read first
		PacketEvents original = ARRIVED.skb(0xffff888004a3c000L);
		PacketEvents clone = ARRIVED.skb(0xffff888004a3d000L);
		List<PacketPath> paths = PathAssembler.group(List.of(original.at(1_000_000, "netif_receive_skb"),
				original.function(1_200_000, "skb_clone"), clone.function(1_210_000, "skb_clone"),
				clone.hook(1_250_000, PacketEvent.SOCKET_RECEIVE), original.hook(1_900_000, PacketEvent.SOCKET_RECEIVE)));
		Journey journey = Journey.group(paths).getFirst();

		// WHEN
		var took = journey.took("netif_receive_skb", PacketEvent.SOCKET_RECEIVE);

		// THEN to the first socket that took it, the clone's
		assertThat(paths).hasSize(2);
		assertThat(took).contains(Duration.ofNanos(250_000));
		assertThat(paths.getFirst().took("netif_receive_skb", PacketEvent.SOCKET_RECEIVE))
				.contains(Duration.ofNanos(900_000));
	}

	@Test
	void a_freed_packet_s_teardown_stays_on_its_path_and_the_next_packet_at_its_address_starts_its_own() {
		// GIVEN an ARP reply consumed on CPU 0, then the functions consume_skb runs on it after its
		// tracepoint, seen with another journey id (its copy's record gone, the address's own hash)
		long skb = 0xffff888100819100L;
		long arpJourney = 0x514a0432d7857f16L;
		long addressJourney = 0xa6674d9997a36a1dL;
		PacketEvents arp = PacketEvents.nonIp(0x0806).skb(skb).journey(arpJourney).netns(RIGHT).process(0, 142, "tr");
		PacketEvents teardown = arp.journey(addressJourney);
		// AND 66 ms later an ICMP error allocated at the same address and buffer, so the same id
		PacketEvents built = PacketEvents.nonIp(0).skb(skb).journey(addressJourney).netns(RIGHT).process(0, 142, "tr");
		PacketEvents icmp = PacketEvents.icmp("10.231.19.2", "10.231.19.1", 3, 3).skb(skb).journey(addressJourney)
				.netns(RIGHT).process(0, 142, "tr");
		List<PacketEvent> events = List.of(arp.function(1_000, "eth_header"), arp.at(2_000, "net_dev_queue"),
				arp.consumed(3_000), teardown.function(3_500, "skb_release_head_state"),
				teardown.function(3_700, "skb_release_data"), teardown.function(3_900, "kfree_skbmem"),
				built.function(66_000_000, "skb_put"), icmp.function(66_001_000, "nf_hook_slow"),
				icmp.at(66_002_000, "net_dev_queue"));

		// WHEN
		List<PacketPath> paths = PathAssembler.group(events);

		// THEN the ARP reply's path ends with its teardown, and the ICMP error's starts when it was built
		assertThat(paths).hasSize(2);
		assertThat(paths.get(0).events()).extracting(PacketEvent::where).containsExactly("eth_header", "net_dev_queue",
				"consume_skb", "skb_release_head_state", "skb_release_data", "kfree_skbmem");
		assertThat(paths.get(1).first().where()).isEqualTo("skb_put");
		assertThat(paths.get(1).first().timestampNanos()).isEqualTo(66_000_000);
	}
}
