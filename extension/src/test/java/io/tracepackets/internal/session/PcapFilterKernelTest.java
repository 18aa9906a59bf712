package io.tracepackets.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.Backend;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketEvent;
import io.tracepackets.assertj.error.PwruFormat;
import io.tracepackets.internal.netns.NetworkNamespace;
import io.tracepackets.internal.netns.TcpEchoServer;
import io.tracepackets.internal.window.TraceWindow;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * pcap filters in the kernel, pwru's CI cases: real packets through a veth pair, the tracepoint
 * backend, a tracer loaded with the filter. Each case checks both sides: packets the expression
 * matches are traced, and packets it does not match, sent in the same test, are not.
 */
@KernelTest
class PcapFilterKernelTest {

	private static final int TCP_SYN = 0x02;
	private static final int TCP_ACK = 0x10;
	private static final int TCP_PSH = 0x08;

	@Test
	void dst_host_and_port_traces_only_packets_to_that_host_and_port() {
		try (VethNamespaces veth = VethNamespaces.create()) {
			traced("dst host " + veth.rightAddress() + " and port 8080", veth, trace -> {
				try (ServerSocket server = echoServer(veth, veth.rightAddress(), 8080)) {
					assertThat(Traffic.fromNetnsPath(veth.leftPath()).tcp().to(veth.rightAddress(), 8080)
							.connectAndSend("to 8080").isEchoed()).isTrue();
					assertThat(Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), 9090).send(3))
							.isEqualTo(3);
				} catch (IOException e) {
					throw new IllegalStateException(e);
				}
			}, events -> {
				assertThat(events).anyMatch(e -> e.destinationPort() == 8080 && e.l4Protocol() == PacketEvent.TCP);
				assertThat(events).allMatch(e -> veth.rightAddress().equals(address(e.destination()))
						&& (e.destinationPort() == 8080 || e.sourcePort() == 8080), "to " + veth.rightAddress()
								+ " port 8080");
				// not traced: the echo's replies (to the left address) and the datagrams to 9090
				assertThat(events).noneMatch(e -> e.destinationPort() == 9090);
			});
		}
	}

	@Test
	void tcp_flags_equal_to_syn_traces_only_syns() {
		try (VethNamespaces veth = VethNamespaces.create()) {
			traced("tcp[tcpflags] = tcp-syn", veth, trace -> echoOnce(veth, veth.rightAddress()), events -> {
				assertThat(events).anyMatch(e -> e.tcpFlags() == TCP_SYN);
				assertThat(events).allMatch(e -> e.l4Protocol() == PacketEvent.TCP && e.tcpFlags() == TCP_SYN,
						"a SYN");
			});
		}
	}

	@Test
	void ip6_byte_53_traces_only_ipv6_tcp_syns() {
		try (VethNamespaces veth = VethNamespaces.create()) {
			VethNamespaces.ip("-n", veth.leftName(), "addr", "add", "fd00:7470::1/64", "dev", veth.leftInterface(),
					"nodad");
			VethNamespaces.ip("-n", veth.rightName(), "addr", "add", "fd00:7470::2/64", "dev", veth.rightInterface(),
					"nodad");
			traced("ip6[53] & 0x3f = 0x2", veth, trace -> {
				echoOnce(veth, "fd00:7470::2");
				echoOnce(veth, veth.rightAddress());
			}, events -> {
				// ip6[53] is the TCP flags byte behind a 40-byte IPv6 header
				assertThat(events).anyMatch(e -> e.ipVersion() == 6 && e.tcpFlags() == TCP_SYN);
				assertThat(events).allMatch(e -> e.ipVersion() == 6, "IPv6");
				assertThat(events).noneMatch(e -> e.l4Protocol() == PacketEvent.TCP && e.tcpFlags() != TCP_SYN);
			});
		}
	}

	@Test
	void tcp_payload_length_arithmetic_traces_segments_with_data_only() {
		try (VethNamespaces veth = VethNamespaces.create()) {
			traced("(((ip[2:2] - ((ip[0]&0xf)<<2)) - ((tcp[12]&0xf0)>>2)) != 0)", veth,
					trace -> echoOnce(veth, veth.rightAddress()), events -> {
						assertThat(events).anyMatch(e -> e.l4Protocol() == PacketEvent.TCP
								&& (e.tcpFlags() & TCP_PSH) != 0);
						// the handshake carries no data: neither SYN nor SYN-ACK is traced
						assertThat(events).noneMatch(e -> e.tcpFlags() == TCP_SYN || e.tcpFlags() == (TCP_SYN | TCP_ACK));
					});
		}
	}

	@Test
	void arp_requests_are_traced_and_replies_are_not() {
		try (VethNamespaces veth = VethNamespaces.create()) {
			traced("arp and arp[7] = 1", veth,
					trace -> assertThat(Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), 9091)
							.send(1)).isEqualTo(1),
					events -> {
						assertThat(events).allMatch(e -> e.etherType() == 0x0806, "ARP");
						// the request leaves the left namespace and arrives in the right one ...
						assertThat(events).anyMatch(
								e -> e.netns() == veth.leftInode() && e.where().equals("net_dev_start_xmit"));
						assertThat(events).anyMatch(
								e -> e.netns() == veth.rightInode() && e.where().equals("netif_receive_skb"));
						// ... and the reply, going the other way, is not traced
						assertThat(events).noneMatch(
								e -> e.netns() == veth.rightInode() && e.where().equals("net_dev_start_xmit"));
						assertThat(events).noneMatch(
								e -> e.netns() == veth.leftInode() && e.where().equals("netif_receive_skb"));
					});
		}
	}

	/** Starts a tracer with {@code expression}, scopes both namespaces, sends, flushes, checks. */
	private static void traced(String expression, VethNamespaces veth, Consumer<TraceWindow> send,
			Consumer<List<PacketEvent>> check) {
		TracerOptions options = TracerOptions.defaults().withBackend(Backend.TRACEPOINT, null)
				.withPcapFilter(expression);
		try (TraceSession session = TraceSession.start(options);
				TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(3))) {
			trace.scope(veth.leftPath());
			trace.scope(veth.rightPath());
			send.accept(trace);
			trace.flush();
			List<PacketEvent> events = trace.events();
			System.out.println(expression + ": " + events.size() + " events\n" + PwruFormat.render(trace, trace.paths()));
			check.accept(events);
		}
	}

	/** One echoed exchange over TCP to {@code address}:8080 (a server in the right namespace). */
	private static void echoOnce(VethNamespaces veth, String address) {
		try (ServerSocket server = echoServer(veth, address, 8080)) {
			assertThat(Traffic.fromNetnsPath(veth.leftPath()).tcp().to(address, 8080).connectAndSend("data")
					.isEchoed()).isTrue();
		} catch (IOException e) {
			throw new IllegalStateException(e);
		}
	}

	private static String address(InetAddress address) {
		return address == null ? null : address.getHostAddress();
	}

	/** A TCP echo server on {@code address}:{@code port} in the right namespace. */
	private static ServerSocket echoServer(VethNamespaces veth, String address, int port) {
		return TcpEchoServer.start(NetworkNamespace.ofPath(veth.rightPath()), address, port);
	}

	static Predicate<PacketEvent> any() {
		return e -> true;
	}
}
