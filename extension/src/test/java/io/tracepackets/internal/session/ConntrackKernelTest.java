package io.tracepackets.internal.session;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.Conntrack;
import io.tracepackets.ConntrackState;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketEvent;
import io.tracepackets.TcpFlag;
import io.tracepackets.assertj.error.PwruFormat;
import io.tracepackets.internal.netns.NetnsRunner;
import io.tracepackets.internal.netns.NetworkNamespace;
import io.tracepackets.internal.window.TraceWindow;
import io.tracepackets.testing.VethNamespaces;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Conntrack's state as the probes read it from real skbs: a TCP connection between the two
 * namespaces of a veth pair, each with a rule that makes conntrack run there.
 */
@KernelTest
class ConntrackKernelTest {

	static final int PORT = 7711;

	static TraceSession session;

	@BeforeAll
	static void start() {
		session = TraceSession.start(TracerOptions.defaults());
	}

	@AfterAll
	static void stop() {
		if (session != null) {
			session.close();
		}
	}

	@Test
	void should_show_new_on_the_syn_and_established_after_with_the_entry_zone_and_mark() throws Exception {
		// GIVEN conntrack in both namespaces: the client's connections to PORT in zone 7 with connmark
		// 0x2a, the server dropping what conntrack calls INVALID
		try (VethNamespaces veth = VethNamespaces.create();
				TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(3))) {
			veth.execInLeft("iptables", "-t", "raw", "-A", "OUTPUT", "-p", "tcp", "--dport", "" + PORT, "-j", "CT",
					"--zone", "7");
			veth.execInLeft("iptables", "-t", "raw", "-A", "PREROUTING", "-p", "tcp", "--sport", "" + PORT, "-j", "CT",
					"--zone", "7");
			veth.execInLeft("iptables", "-t", "mangle", "-A", "OUTPUT", "-p", "tcp", "--dport", "" + PORT, "-j",
					"CONNMARK", "--set-mark", "0x2a");
			veth.execInRight("iptables", "-A", "INPUT", "-p", "tcp", "-m", "conntrack", "--ctstate", "INVALID", "-j",
					"DROP");
			trace.scope(veth.leftPath()).scope(veth.rightPath());

			// WHEN a connection sends 5 bytes and closes
			try (ServerSocketChannel server = NetnsRunner.call(NetworkNamespace.ofPath(veth.rightPath()),
					() -> ServerSocketChannel.open().bind(new InetSocketAddress(veth.rightAddress(), PORT)));
					SocketChannel client = NetnsRunner.call(NetworkNamespace.ofPath(veth.leftPath()),
							SocketChannel::open)) {
				client.connect(new InetSocketAddress(veth.rightAddress(), PORT));
				try (SocketChannel accepted = server.accept()) {
					client.write(ByteBuffer.wrap("hello".getBytes()));
					ByteBuffer read = ByteBuffer.allocate(5);
					while (read.hasRemaining() && accepted.read(read) >= 0) {
						// until the 5 bytes are in
					}
				}
			}

			// THEN the SYN left as NEW, the data as ESTABLISHED, in zone 7 with the mark; the SYN-ACK left
			// the server as the reply of an ESTABLISHED entry in the default zone
			Conntrack clientNew = new Conntrack(ConntrackState.NEW, false, true, false, false, 7, 0x2a);
			Conntrack clientEstablished = new Conntrack(ConntrackState.ESTABLISHED, false, true, false, false, 7, 0x2a);
			Conntrack serverReply = new Conntrack(ConntrackState.ESTABLISHED, true, true, false, false, 0, 0);
			System.out.println(PwruFormat.render(trace, trace.paths()));
			assertThat(sentBy(trace.events(), veth.leftInode(), TcpFlag.SYN.bit(), PORT))
					.as("the SYN on the client's veth").isNotEmpty().allMatch(e -> e.conntrack().equals(
							java.util.Optional.of(clientNew)));
			assertThat(sentBy(trace.events(), veth.leftInode(), TcpFlag.PSH.bit(), PORT))
					.as("the data on the client's veth").isNotEmpty().allMatch(e -> e.conntrack().equals(
							java.util.Optional.of(clientEstablished)));
			assertThat(trace.events()).filteredOn(e -> e.netns() == veth.rightInode() && e.sourcePort() == PORT
					&& e.tcpFlags() == (TcpFlag.SYN.bit() | TcpFlag.ACK.bit()) && e.where().equals("net_dev_queue"))
					.as("the SYN-ACK on the server's veth").isNotEmpty()
					.allMatch(e -> e.conntrack().equals(java.util.Optional.of(serverReply)));
			assertThat(trace).packets(tcp().dstPort(PORT).tcpFlags(TcpFlag.SYN).ctState(ConntrackState.NEW)).hasCount(1);
			assertThat(trace).packets(tcp().ctState(ConntrackState.INVALID)).areNone();
		}
	}

	/** The events of segments to {@code port} with exactly {@code flags}, queued on a device of {@code netns}. */
	private static List<PacketEvent> sentBy(List<PacketEvent> events, long netns, int flags, int port) {
		return events.stream().filter(e -> e.netns() == netns && e.destinationPort() == port
				&& (e.tcpFlags() & flags) == flags && e.where().equals("net_dev_queue")).toList();
	}
}
