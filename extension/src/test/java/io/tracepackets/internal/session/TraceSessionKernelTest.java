package io.tracepackets.internal.session;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.tracepackets.DropReason;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketFilter;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketPath;
import io.tracepackets.assertj.error.PwruFormat;

import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import io.tracepackets.internal.event.EventLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import io.tracepackets.internal.window.TraceWindow;

/** The tracer against the live kernel: real BPF, real packets through a real veth and netns. */
@KernelTest
class TraceSessionKernelTest {

	static TraceSession session;

	/** The left end's link-local address in the IPv6 extension header test. */
	private static final String LEFT_LINK_LOCAL = "fe80::77:1";

	@BeforeAll
	static void start() {
		session = TraceSession.start(TracerOptions.defaults());
	}

	/** 6.2+ (bpf_cast_to_kern_ctx); the project's host and GitHub's runners have it. */
	static boolean kernelHasSocketHook() {
		String[] release = System.getProperty("os.version").split("[.-]");
		int major = Integer.parseInt(release[0]);
		return major > 6 || major == 6 && Integer.parseInt(release[1]) >= 2;
	}

	@AfterAll
	static void stop() {
		if (session != null) {
			session.close();
		}
	}

	/** From the pair's left namespace to its right one. */
	static void sendUdp(VethNamespaces pair, int port, int count) {
		assertThat(Traffic.fromNetnsPath(pair.leftPath()).udp().to(pair.rightAddress(), port).send(count))
				.isEqualTo(count);
	}

	@Test
	void a_window_reads_the_same_events_and_paths_from_its_records_while_open_and_once_closed() {
		try (VethNamespaces veth = VethNamespaces.create()) {
			veth.execInRight("iptables-legacy", "-A", "INPUT", "-p", "udp", "--dport", "9000", "-j", "DROP");
			TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(3));
			// the trace's own lists as read while open, and what they held then, decoded once;
			// later reads of the trace itself may hold more (the peers' neighbour discovery goes on)
			List<PacketEvent> openEvents;
			List<PacketPath> openPaths;
			List<PacketEvent> events;
			List<List<PacketEvent>> paths;
			try (trace) {
				// GIVEN drops a rule made (a culprit named) and drops no rule made (a sentence why none)
				trace.scope(veth.leftPath());
				trace.scope(veth.rightPath());
				sendUdp(veth, 9000, 5);
				sendUdp(veth, 9001, 3);
				openEvents = trace.events();
				openPaths = trace.paths();
				events = new ArrayList<>(openEvents);
				paths = openPaths.stream().map(path -> (List<PacketEvent>) new ArrayList<>(path.events())).toList();
				assertThat(events).anyMatch(event -> event.isDrop() && event.culprit().isPresent())
						.anyMatch(event -> event.isDrop() && event.whyNoCulprit().isPresent());
				// WHEN read again while open: decoded again from the session's store
				assertThat(openEvents).isEqualTo(events);
				assertThat(trace.events().subList(0, events.size())).isEqualTo(events);
			}
			// AND once closed, after the next window took the store's memory for events of its own
			try (TraceWindow next = TraceWindow.open(session, Duration.ofSeconds(3))) {
				next.scope(veth.leftPath());
				sendUdp(veth, 9002, 300);
				assertThat(next.events()).hasSizeGreaterThan(300);
			}
			// THEN the closed window answers the same, from the records it took over: the lists read
			// while open, and the trace read now
			assertThat(openEvents).isEqualTo(events);
			assertThat(openPaths).extracting(path -> (List<PacketEvent>) new ArrayList<>(path.events())).isEqualTo(paths);
			assertThat(trace.events().subList(0, events.size())).isEqualTo(events);
			assertThat(trace).packets(udp().dstPort(9000)).hasCount(5).wereDropped().in("nf_hook_slow");
		}
	}

	@Test
	void should_see_iptables_legacy_drops_in_the_scoped_netns_only() {
		// GIVEN a netns that drops UDP 9000 with iptables-legacy
		try (VethNamespaces veth = VethNamespaces.create();
				TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(3))) {
			veth.execInRight("iptables-legacy", "-A", "INPUT", "-p", "udp", "--dport", "9000", "-j", "DROP");
			trace.scope(veth.rightPath());
			// WHEN 5 datagrams go to 9000 and 3 to 9001 (no listener: NO_SOCKET drops)
			sendUdp(veth, 9000, 5);
			sendUdp(veth, 9001, 3);
			// THEN
			assertThat(trace).packets(udp().dstPort(9000)).hasCount(5).wereDropped().in("nf_hook_slow")
					.withReason(DropReason.NETFILTER_DROP);
			assertThat(trace).packets(udp().dstPort(9001)).hasCount(3).wereDropped()
					.withReason(DropReason.NO_SOCKET);
			assertThat(trace).packets(udp().dstPort(9000)).reached("netif_receive_skb");
			assertThat(trace.events()).allMatch(e -> e.netns() == trace.namespaces().getFirst().inode());
			System.out.println(trace + "\n" + PwruFormat.render(trace, trace.paths()));
		}
	}

	@Test
	void should_keep_other_namespaces_out_of_the_trace() {
		// GIVEN two namespaces, only one in scope
		try (VethNamespaces traced = VethNamespaces.create(); VethNamespaces other = VethNamespaces.create();
				TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(3))) {
			trace.scope(traced.rightPath());
			// WHEN both receive datagrams
			sendUdp(traced, 9100, 2);
			sendUdp(other, 9101, 2);
			// THEN only the traced namespace's packets are there, even after a flush
			assertThat(trace).packets(udp().dstPort(9100).dst(traced.rightAddress())).hasCount(2);
			assertThat(trace).packets(udp().dstPort(9101)).areNone();
		}
	}

	@Test
	void should_scope_namespaces_beyond_what_the_config_holds_inline_through_the_hash() {
		// GIVEN a traced namespace among more scoped inodes than struct tp_config carries (made-up
		// inodes: no namespace has them), so the probes must ask the netns_filter hash
		List<NamespaceFilter.Lease> others = new ArrayList<>();
		try (VethNamespaces traced = VethNamespaces.create(); VethNamespaces other = VethNamespaces.create();
				TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(3))) {
			for (int i = 1; i <= EventLayout.INLINE_NETNS; i++) {
				others.add(session.namespaceFilter().lease(i));
			}
			trace.scope(traced.rightPath());
			// WHEN both pairs receive datagrams, with nine inodes scoped, then with one
			sendUdp(traced, 9110, 2);
			sendUdp(other, 9111, 2);
			trace.flush();
			others.forEach(NamespaceFilter.Lease::close);
			sendUdp(traced, 9112, 2);
			sendUdp(other, 9113, 2);
			// THEN the hash and the inline inodes both keep the traced namespace, and only it
			assertThat(trace).packets(udp().dstPort(9110).dst(traced.rightAddress())).hasCount(2);
			assertThat(trace).packets(udp().dstPort(9112).dst(traced.rightAddress())).hasCount(2);
			assertThat(trace).packets(udp().dstPort(9111)).areNone();
			assertThat(trace).packets(udp().dstPort(9113)).areNone();
		} finally {
			others.forEach(NamespaceFilter.Lease::close);
		}
	}

	@Test
	void should_hold_every_event_produced_before_a_flush() {
		try (VethNamespaces veth = VethNamespaces.create(); TraceWindow trace = TraceWindow.open(session, Duration.ZERO)) {
			trace.scope(veth.rightPath());
			sendUdp(veth, 9200, 4);
			// WHEN flushing, without any waiting
			trace.flush();
			// THEN every datagram's drop (no listener) is already consumed
			assertThat(trace.packets(udp().dstPort(9200))).hasSize(4)
					.allSatisfy(path -> assertThat(path.drop()).get()
							.extracting(PacketEvent::dropReason).isEqualTo(DropReason.NO_SOCKET));
		}
	}

	@Test
	void should_count_what_a_full_ring_buffer_loses_and_fail_assertions_on_such_a_trace() {
		// GIVEN a tracer with a one-page ring buffer and the synthetic burst program
		TracerOptions tiny = new TracerOptions(io.tracepackets.Backend.TRACEPOINT, null, 4096,
				TracerOptions.DEFAULT_STORE_BUDGET_BYTES, false);
		try (TraceSession small = TraceSession.start(tiny);
				SyntheticBurst burst = SyntheticBurst.on(small);
				TraceWindow trace = TraceWindow.open(small, Duration.ofSeconds(1))) {
			long lostBefore = small.pump().lost();
			// WHEN the kernel writes far more events at once than the ring holds
			burst.emit(100_000);
			// THEN the kernel counted the loss, the trace reports it, and assertions refuse the trace
			assertThat(small.pump().lost() - lostBefore).isPositive();
			assertThat(trace.lostEvents()).isPositive();
			assertThatExceptionOfType(AssertionError.class)
					.isThrownBy(() -> assertThat(trace).hasNoLostEvents())
					.withMessageContaining("lost:")
					.withMessageContaining("tracepackets.ringbuffer.bytes");
		}
	}

	@Test
	void should_hook_sockets_from_6_2_and_say_why_not_before() {
		// before 6.2 there is no bpf_cast_to_kern_ctx: the tracer must say so, not pretend; from 6.2
		// (this host, GitHub's runners, Debian's 6.12) the hook must be there
		String whyNot = session.catalog().whyNotObserved(PacketEvent.SOCKET_RECEIVE);
		if (kernelHasSocketHook()) {
			assertThat(session.catalog().observes(PacketEvent.SOCKET_RECEIVE)).as(whyNot).isTrue();
		} else {
			assertThat(session.catalog().observes(PacketEvent.SOCKET_RECEIVE)).isFalse();
			assertThat(whyNot).contains("bpf_cast_to_kern_ctx (6.2+)");
		}
	}

	@Test
	@EnabledIf("io.tracepackets.internal.session.TraceSessionKernelTest#kernelHasSocketHook")
	void should_see_a_socket_accept_a_datagram_where_the_kernel_allows_the_hook() throws Exception {
		// GIVEN a UDP socket bound in the traced namespace on 9300, nothing on 9301
		try (VethNamespaces veth = VethNamespaces.create();
				TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(3));
				java.nio.channels.DatagramChannel receiver = io.tracepackets.internal.netns.NetnsRunner.call(
						io.tracepackets.internal.netns.NetworkNamespace.ofPath(veth.rightPath()),
						() -> java.nio.channels.DatagramChannel.open()
								.bind(new java.net.InetSocketAddress(veth.rightAddress(), 9300)))) {
			trace.scope(veth.rightPath());
			// WHEN
			sendUdp(veth, 9300, 2);
			sendUdp(veth, 9301, 1);
			// THEN the socket accepted the two for 9300; the one for 9301 never reached a socket
			assertThat(trace).packets(udp().dstPort(9300)).hasCount(2).wereDelivered().reached("socket_receive");
			assertThat(trace).packets(udp().dstPort(9301)).hasCount(1).neverReached("socket_receive")
					.wereDropped().withReason(DropReason.NO_SOCKET);
		}
	}

	@Test
	void should_read_the_transport_header_behind_ipv6_extension_headers() {
		// GIVEN a traced namespace whose only link-local address is LEFT_LINK_LOCAL, valid at once
		// (nodad): MLD reports leave from the link-local address, so this one marks the left end's
		// own reports. The peer sends reports of its own too (its link came up a moment ago, and
		// MLDv2 repeats unsolicited reports), received in the left namespace by netif_rx and freed
		// at ip6_mc_input, never passing net_dev_queue; whether they fall inside the window depends
		// on timing, so the filter leaves them out by their source.
		try (VethNamespaces veth = VethNamespaces.create()) {
			veth.execInLeft("ip", "-6", "addr", "flush", "dev", veth.leftInterface(), "scope", "link");
			veth.execInLeft("ip", "-6", "addr", "add", LEFT_LINK_LOCAL + "/64", "dev", veth.leftInterface(), "nodad");
			try (TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(3))) {
				trace.scope(veth.leftPath());
				// WHEN an IPv6 address is added: the kernel joins its solicited-node group with an
				// MLDv2 report, an ICMPv6 message behind a hop-by-hop options header
				veth.execInLeft("ip", "-6", "addr", "add", "fd00:77::1/64", "dev", veth.leftInterface(), "nodad");
				// THEN the tuple reaches past the extension header: ICMPv6 type 143, sent by the left end
				assertThat(trace).packets(PacketFilter.icmp().ipv6().icmpType(143).src(LEFT_LINK_LOCAL))
						.reached("net_dev_queue");
			}
		}
	}
}
