package io.tracepackets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.tracepackets.internal.window.PathAssembler;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class PacketPathTest {

	private static final PacketEvents REQUEST = PacketEvents.udp("10.0.0.1", 40000, "10.0.0.2", 9000);
	private static final PacketEvents REPLY = PacketEvents.udp("10.0.0.2", 9000, "10.0.0.1", 40000);

	@Test
	void should_group_the_events_of_each_skb_in_trace_order() {
		// GIVEN two packets whose events interleave
		PacketEvents other = REPLY.skb(0xffff888004a3d000L);
		PacketEvent requestIn = REQUEST.at(1, "netif_receive_skb");
		PacketEvent replyOut = other.at(2, "net_dev_queue");
		PacketEvent requestRead = REQUEST.at(3, "skb_copy_datagram_iovec");
		PacketEvent replySent = other.at(4, "net_dev_start_xmit");

		// WHEN
		List<PacketPath> paths = PathAssembler.group(List.of(requestIn, replyOut, requestRead, replySent));

		// THEN ordered by each path's first event
		assertThat(paths).containsExactly(new PacketPath(PacketEvents.SKB, List.of(requestIn, requestRead)),
				new PacketPath(0xffff888004a3d000L, List.of(replyOut, replySent)));
	}

	@Test
	void should_end_a_path_at_its_drop_or_consume_so_a_reused_address_starts_a_new_one() {
		// GIVEN the same skb address: a request dropped, then a retry consumed, then a third packet
		PacketEvent firstIn = REQUEST.at(1, "netif_receive_skb");
		PacketEvent firstDrop = REQUEST.dropped(2, DropReason.NETFILTER_DROP, "nf_hook_slow+0x7d");
		PacketEvent retryIn = REQUEST.at(3, "netif_receive_skb");
		PacketEvent retryFreed = REQUEST.consumed(4);
		PacketEvent third = REQUEST.at(5, "netif_receive_skb");

		// WHEN
		List<PacketPath> paths = PathAssembler.group(List.of(firstIn, firstDrop, retryIn, retryFreed, third));

		// THEN
		assertThat(paths).extracting(PacketPath::events)
				.containsExactly(List.of(firstIn, firstDrop), List.of(retryIn, retryFreed), List.of(third));
	}

	@Test
	void should_keep_a_function_s_return_in_the_path_it_freed_before_returning() {
		// GIVEN nf_hook_slow drops the packet (frees it), then returns -EPERM; then the address is reused
		PacketEvent in = REQUEST.at(1, "netif_receive_skb");
		PacketEvent hook = REQUEST.function(2, "nf_hook_slow");
		PacketEvent drop = REQUEST.dropped(3, DropReason.NETFILTER_DROP, "nf_hook_slow+0x7d");
		PacketEvent returned = REQUEST.returned(4, "nf_hook_slow", -1);
		PacketEvent next = REQUEST.at(5, "netif_receive_skb");

		// WHEN
		List<PacketPath> paths = PathAssembler.group(List.of(in, hook, drop, returned, next));

		// THEN the return ends the dropped packet's path, not a path of its own
		assertThat(paths).extracting(PacketPath::events)
				.containsExactly(List.of(in, hook, drop, returned), List.of(next));
	}

	@Test
	void should_start_a_new_path_with_a_return_at_an_address_and_buffer_handed_back_after_a_free() {
		// GIVEN an ICMP error consumed, then a datagram in the same skb and buffer (so the same
		// kernel journey id) whose first event is nf_hook_slow's return, its entry unprobed
		PacketEvents icmp = PacketEvents.icmp("10.0.0.2", "10.0.0.1", 3, 3).journey(7);
		PacketEvent icmpIn = icmp.at(1, "netif_receive_skb");
		PacketEvent icmpFreed = icmp.consumed(2);
		PacketEvent returned = REQUEST.journey(7).returned(3, "nf_hook_slow", 1);
		PacketEvent queued = REQUEST.journey(7).at(4, "net_dev_queue");

		// WHEN
		List<PacketPath> paths = PathAssembler.group(List.of(icmpIn, icmpFreed, returned, queued));

		// THEN the return is the datagram's, not the ICMP error's
		assertThat(paths).extracting(PacketPath::events)
				.containsExactly(List.of(icmpIn, icmpFreed), List.of(returned, queued));
	}

	@Test
	void should_start_a_new_path_with_a_return_of_another_journey_at_a_freed_address() {
		// GIVEN a packet freed at the address, then the return of a call on another packet there
		PacketEvent in = REQUEST.journey(7).at(1, "netif_receive_skb");
		PacketEvent freed = REQUEST.journey(7).consumed(2);
		PacketEvent returned = REQUEST.journey(8).returned(3, "ip_route_input_noref", 0);
		PacketEvent then = REQUEST.journey(8).dropped(4, DropReason.NOT_SPECIFIED, "ip_rcv_finish_core+0x1a2");

		// WHEN
		List<PacketPath> paths = PathAssembler.group(List.of(in, freed, returned, then));

		// THEN
		assertThat(paths).extracting(PacketPath::events).containsExactly(List.of(in, freed), List.of(returned, then));
	}

	@Test
	void should_split_a_path_when_the_same_address_shows_another_tuple() {
		// GIVEN an skb freed outside the traced namespaces (no free event), its address reused by the reply
		PacketEvent request = REQUEST.at(1, "net_dev_queue");
		PacketEvent reply = REPLY.at(2, "netif_receive_skb");
		PacketEvent replyRead = REPLY.at(3, "skb_copy_datagram_iovec");

		// WHEN
		List<PacketPath> paths = PathAssembler.group(List.of(request, reply, replyRead));

		// THEN
		assertThat(paths).extracting(PacketPath::events)
				.containsExactly(List.of(request), List.of(reply, replyRead));
	}

	@Test
	void should_split_a_path_when_the_same_address_shows_another_ethertype() {
		// GIVEN an ARP reply whose skb address an IP packet reuses (the ARP skb's free was not seen)
		PacketEvent arp = PacketEvents.nonIp(0x0806).at(1, "netif_receive_skb");
		PacketEvent ip = REQUEST.at(2, "netif_receive_skb");

		// WHEN
		List<PacketPath> paths = PathAssembler.group(List.of(arp, ip));

		// THEN
		assertThat(paths).extracting(PacketPath::events).containsExactly(List.of(arp), List.of(ip));
	}

	@Test
	void should_start_a_new_path_with_a_frame_at_the_address_and_journey_of_a_message_a_socket_took() {
		// GIVEN a netlink acknowledgement (no EtherType, no IP header) that its socket's filter took,
		// freed where no probe saw it, then a RST given its address and buffer, so its journey id too
		PacketEvent message = PacketEvents.nonIp(0).journey(7).returned(1, "sk_filter_trim_cap", 0);
		PacketEvents reset = PacketEvents.tcp("10.0.0.2", 81, "10.0.0.1", 41000, 0x14).journey(7);
		PacketEvent output = reset.function(2, "nf_hook_slow");
		PacketEvent queued = reset.at(3, "net_dev_queue");

		// WHEN
		List<PacketPath> paths = PathAssembler.group(List.of(message, output, queued));

		// THEN the RST starts where it was sent (the message, never a packet on its way, is no path)
		assertThat(paths).extracting(PacketPath::events).containsExactly(List.of(output, queued));
		assertThat(paths.getFirst().journey()).isNotEqualTo(7);
	}

	@Test
	void should_keep_a_forwarded_segment_dropped_in_a_buffer_of_its_own_one_packet() {
		// GIVEN a SYN received by a router, given a buffer of its own in ip_forward (its sender's TCP
		// shares the data), so a new journey id, then dropped by the FORWARD chain
		PacketEvents syn = PacketEvents.tcp("10.0.0.1", 41000, "10.0.1.2", 81, 0x02).iface(2, "eth0");
		PacketEvent received = syn.journey(11).at(1, "netif_receive_skb");
		PacketEvent dropped = syn.journey(12).dropped(2, DropReason.NETFILTER_DROP, "nf_hook_slow+0x7d");

		// WHEN
		List<PacketPath> paths = PathAssembler.group(List.of(received, dropped));

		// THEN
		assertThat(paths).extracting(PacketPath::events).containsExactly(List.of(received, dropped));
	}

	@Test
	void should_not_join_the_drop_of_another_packet_to_one_delivered_before_it() {
		// GIVEN a datagram received and read by a socket (freed unseen), then a datagram of the same
		// flow at its address, first seen at its drop
		PacketEvent received = REQUEST.journey(11).at(1, "netif_receive_skb");
		PacketEvent read = REQUEST.journey(11).at(2, "skb_copy_datagram_iovec");
		PacketEvent dropped = REQUEST.journey(12).dropped(3, DropReason.NETFILTER_DROP, "nf_hook_slow+0x7d");

		// WHEN
		List<PacketPath> paths = PathAssembler.group(List.of(received, read, dropped));

		// THEN
		assertThat(paths).extracting(PacketPath::events).containsExactly(List.of(received, read), List.of(dropped));
	}

	@Test
	void should_keep_a_frame_that_a_packet_socket_took_on_its_way() {
		// GIVEN an ARP request received, shown to a packet socket (tcpdump) and then to ARP itself
		PacketEvents arp = PacketEvents.nonIp(0x0806).journey(7);
		List<PacketEvent> events = List.of(arp.at(1, "netif_receive_skb"), arp.function(2, "packet_rcv"),
				arp.function(3, "arp_rcv"), arp.consumed(4));

		// WHEN
		List<PacketPath> paths = PathAssembler.group(events);

		// THEN it is one packet
		assertThat(paths).extracting(PacketPath::events).containsExactly(events);
	}

	@Test
	void should_keep_events_without_ip_tuple_in_the_path_and_compare_with_the_last_tuple() {
		// GIVEN an event of the skb where the probe found no IP header, between two of the same tuple
		PacketEvent in = REQUEST.at(1, "netif_receive_skb");
		PacketEvent noTuple = PacketEvents.nonIp(0x0800).at(2, "ip_rcv");
		PacketEvent read = REQUEST.at(3, "skb_copy_datagram_iovec");

		// WHEN
		List<PacketPath> paths = PathAssembler.group(List.of(in, noTuple, read));

		// THEN
		assertThat(paths).singleElement().extracting(PacketPath::events).isEqualTo(List.of(in, noTuple, read));
	}

	@Test
	void should_not_end_a_path_at_a_function_probe_named_like_a_free() {
		// GIVEN a function probe on kfree_skb: not the tracepoint, so not a drop
		PacketEvent in = REQUEST.at(1, "netif_receive_skb");
		PacketEvent function = REQUEST.function(2, "kfree_skb");
		PacketEvent read = REQUEST.at(3, "skb_copy_datagram_iovec");

		// WHEN
		List<PacketPath> paths = PathAssembler.group(List.of(in, function, read));

		// THEN
		assertThat(paths).singleElement().satisfies(path -> {
			assertThat(path.events()).containsExactly(in, function, read);
			assertThat(path.wasDropped()).isFalse();
		});
	}

	@Test
	void should_tell_a_dropped_packet_with_its_drop_event() {
		// GIVEN
		PacketEvent drop = REQUEST.dropped(2, DropReason.NO_SOCKET, "udp_rcv+0x12");
		PacketPath path = path(REQUEST.at(1, "netif_receive_skb"), drop);

		// WHEN
		boolean dropped = path.wasDropped();
		boolean delivered = path.wasDelivered();

		// THEN
		assertThat(dropped).isTrue();
		assertThat(delivered).isFalse();
		assertThat(path.drop()).hasValue(drop);
		assertThat(path.first().where()).isEqualTo("netif_receive_skb");
		assertThat(path.last()).isEqualTo(drop);
	}

	@Test
	void should_tell_a_packet_delivered_when_received_read_by_a_socket_or_consumed_and_never_dropped() {
		// GIVEN
		PacketPath consumed = path(REQUEST.function(1, "ip_rcv"), REQUEST.consumed(2));
		PacketPath read = path(REQUEST.function(1, "ip_rcv"), REQUEST.at(2, "skb_copy_datagram_iovec"));
		PacketPath received = path(REQUEST.at(1, "netif_receive_skb"), REQUEST.function(2, "ip_rcv"));
		PacketPath inFlight = path(REQUEST.at(1, "net_dev_queue"), REQUEST.function(2, "dev_hard_start_xmit"));
		PacketPath receivedThenDropped = path(REQUEST.at(1, "netif_receive_skb"),
				REQUEST.dropped(2, DropReason.NOT_SPECIFIED, null));

		// WHEN
		List<Boolean> delivered = List.of(consumed.wasDelivered(), read.wasDelivered(), received.wasDelivered(),
				inFlight.wasDelivered(), receivedThenDropped.wasDelivered());

		// THEN
		assertThat(delivered).containsExactly(true, true, true, false, false);
		assertThat(inFlight.wasDropped()).isFalse();
		assertThat(inFlight.drop()).isEmpty();
	}

	@Test
	void should_tell_whether_a_tracepoint_or_function_saw_the_packet() {
		// GIVEN
		PacketPath path = path(REQUEST.at(1, "netif_receive_skb"), REQUEST.function(2, "ip_rcv"),
				REQUEST.consumed(3));

		// WHEN
		boolean tracepoint = path.reached("netif_receive_skb");
		boolean function = path.reached("ip_rcv");
		boolean missed = path.reached("ip_local_deliver");

		// THEN
		assertThat(tracepoint).isTrue();
		assertThat(function).isTrue();
		assertThat(missed).isFalse();
	}

	@Test
	void should_pass_through_names_in_order_with_gaps_allowed() {
		// GIVEN
		PacketPath path = path(REQUEST.at(1, "netif_receive_skb"), REQUEST.function(2, "ip_rcv"),
				REQUEST.function(3, "nf_hook_slow"), REQUEST.function(4, "ip_local_deliver"),
				REQUEST.function(5, "udp_rcv"), REQUEST.consumed(6));

		// WHEN
		boolean inOrder = path.passedThrough(List.of("ip_rcv", "ip_local_deliver"));
		boolean withGaps = path.passedThrough(List.of("netif_receive_skb", "udp_rcv", "consume_skb"));
		boolean adjacent = path.passedThrough(List.of("ip_rcv", "nf_hook_slow"));
		boolean nothing = path.passedThrough(List.of());

		// THEN
		assertThat(inOrder).isTrue();
		assertThat(withGaps).isTrue();
		assertThat(adjacent).isTrue();
		assertThat(nothing).isTrue();
	}

	@Test
	void should_not_pass_through_names_out_of_order_or_not_reached() {
		// GIVEN
		PacketPath path = path(REQUEST.at(1, "netif_receive_skb"), REQUEST.function(2, "ip_rcv"),
				REQUEST.function(3, "ip_local_deliver"));

		// WHEN
		boolean outOfOrder = path.passedThrough(List.of("ip_local_deliver", "ip_rcv"));
		boolean missing = path.passedThrough(List.of("ip_rcv", "udp_rcv"));
		boolean twice = path.passedThrough(List.of("ip_rcv", "ip_rcv"));

		// THEN
		assertThat(outOfOrder).isFalse();
		assertThat(missing).isFalse();
		assertThat(twice).isFalse();
	}

	@Test
	void should_refuse_a_path_without_events() {
		// GIVEN
		List<PacketEvent> none = List.of();

		// WHEN / THEN
		assertThatIllegalArgumentException().isThrownBy(() -> new PacketPath(1, none))
				.withMessage("a path has at least one event");
	}

	@Test
	void should_group_nothing_into_no_paths() {
		// GIVEN
		List<PacketEvent> none = List.of();

		// WHEN
		List<PacketPath> paths = PathAssembler.group(none);

		// THEN
		assertThat(paths).isEmpty();
	}

	private static PacketPath path(PacketEvent... events) {
		return new PacketPath(events[0].skb(), List.of(events));
	}

	@Test
	void should_not_count_a_copy_that_never_went_through_a_device_or_the_receive_stack() {
		// GIVEN a datagram waiting for ARP, and neigh_probe's clone of it handed to arp_solicit
		PacketEvents datagram = PacketEvents.udp("10.0.0.1", 40000, "10.0.0.2", 9000);
		PacketEvents clone = datagram.skb(PacketEvents.SKB + 0x100);
		List<PacketEvent> events = List.of(datagram.function(1, "ip_finish_output2"),
				clone.function(2, "arp_solicit"), clone.consumed(3), datagram.at(4, "net_dev_queue"));

		// WHEN
		List<PacketPath> paths = PathAssembler.group(events);

		// THEN only the datagram is a packet
		assertThat(paths).singleElement().extracting(PacketPath::skb).isEqualTo(PacketEvents.SKB);
	}

	@Test
	void should_split_same_tuple_datagrams_whose_skb_was_freed_unseen_and_reused() {
		// GIVEN two datagrams of one socket, the first read by a UDP socket (no tracepoint frees
		// it) and its address reused at once for the second
		List<PacketEvent> events = List.of(REQUEST.at(1, "netif_rx"), REQUEST.at(2, "netif_receive_skb"),
				REQUEST.at(3, "netif_rx"), REQUEST.at(4, "netif_receive_skb"));

		// WHEN
		List<PacketPath> paths = PathAssembler.group(events);

		// THEN two packets, one per entry into the device
		assertThat(paths).hasSize(2).allSatisfy(path -> assertThat(path.events()).hasSize(2));
	}

	@Test
	void should_keep_one_packet_through_a_bridge_that_receives_it_on_another_device() {
		// GIVEN received on a veth, then again on the bridge it belongs to (local delivery)
		List<PacketEvent> events = List.of(REQUEST.iface(5, "veth0").at(1, "netif_receive_skb"),
				REQUEST.iface(3, "docker0").at(2, "netif_receive_skb"));

		// WHEN / THEN
		assertThat(PathAssembler.group(events)).hasSize(1);
	}

	@Test
	void should_time_the_packet_from_the_first_event_at_one_point_to_the_first_at_the_other_after_it() {
		// GIVEN a packet that passed a router namespace: queued and sent twice, once per device
		PacketPath path = new PacketPath(PacketEvents.SKB, List.of(REQUEST.at(1_000, "net_dev_queue"),
				REQUEST.at(41_001_000, "net_dev_start_xmit"), REQUEST.at(41_010_000, "netif_receive_skb"),
				REQUEST.at(41_020_000, "net_dev_queue"), REQUEST.at(41_025_000, "net_dev_start_xmit")));

		// WHEN
		var queued = path.took("net_dev_queue", "net_dev_start_xmit");
		var routed = path.took("netif_receive_skb", "net_dev_start_xmit");
		var betweenQueues = path.took("net_dev_queue", "net_dev_queue");

		// THEN the first pass is timed; the same name twice times the way to its next pass
		assertThat(queued).contains(Duration.ofNanos(41_000_000));
		assertThat(routed).contains(Duration.ofNanos(15_000));
		assertThat(betweenQueues).contains(Duration.ofNanos(41_019_000));
	}

	@Test
	void should_not_time_a_packet_that_missed_a_point_or_passed_them_in_the_other_order() {
		// GIVEN a packet received, then read
		PacketPath path = new PacketPath(PacketEvents.SKB, List.of(REQUEST.at(1_000, "netif_receive_skb"),
				REQUEST.at(2_000, "skb_copy_datagram_iovec")));

		// WHEN / THEN
		assertThat(path.took("skb_copy_datagram_iovec", "netif_receive_skb")).isEmpty();
		assertThat(path.took("netif_receive_skb", "kfree_skb")).isEmpty();
		assertThat(path.took("net_dev_queue", "skb_copy_datagram_iovec")).isEmpty();
	}
}
