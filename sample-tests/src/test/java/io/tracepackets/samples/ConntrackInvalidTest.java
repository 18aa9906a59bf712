package io.tracepackets.samples;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;

import io.tracepackets.ConntrackState;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketTrace;
import io.tracepackets.TcpFlag;
import io.tracepackets.TracePackets;
import io.tracepackets.samples.support.VethNamespacesPerTest;
import io.tracepackets.testing.VethNamespaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The rule every stateful firewall starts with, {@code -m conntrack --ctstate INVALID -j DROP},
 * against what it is for: a TCP segment no TCP stack sends, here FIN+PSH+URG (a port scanner's
 * "Xmas" probe), inside an established connection. Conntrack calls it INVALID on every kernel (its
 * flag check comes before any state); the rule drops it, the trace names the rule, and the drop's
 * event says INVALID ({@code ctState}); the connection's own segments pass. (A segment outside the window is no steady example: whether it
 * falls below or above the window depends on the random initial sequence numbers, and since 6.x
 * conntrack lets one below through to TCP, which discards it as TCP_OLD_SEQUENCE.)
 */
@KernelTest
@TracePackets
@ExtendWith(VethNamespacesPerTest.class)
class ConntrackInvalidTest {

	static final int PORT = 7700;
	static final int CLIENT_PORT = 40123;

	VethNamespaces network;

	// conntrackInvalid {
	@Test
	void a_segment_no_tcp_sends_is_invalid_and_dropped_by_the_rule_that_says_so(PacketTrace trace) {
		// GIVEN the server's rule, a listener, and an established connection from a known port
		trace.scope(network.leftPath()).scope(network.rightPath());
		network.execInRight("iptables", "-A", "INPUT", "-p", "tcp", "-m", "conntrack", "--ctstate", "INVALID",
				"-j", "DROP");
		network.execInRight("sh", "-c", "timeout 10 socat TCP-LISTEN:" + PORT + ",reuseaddr EXEC:'sleep 8' &");
		network.execInRight("sh", "-c", "for i in $(seq 50); do ss -tln | grep -q :" + PORT + " && exit 0; sleep 0.1;"
				+ " done; exit 1");
		network.execInLeft("sh", "-c", "sleep 6 | timeout 8 socat - TCP:" + network.rightAddress() + ":" + PORT
				+ ",sourceport=" + CLIENT_PORT + " >/dev/null 2>&1 &");
		network.execInRight("sh", "-c", "for i in $(seq 50); do ss -tn state established | grep -q :" + PORT
				+ " && exit 0; sleep 0.1; done; exit 1");

		// WHEN a segment with FIN, PSH and URG set arrives on that connection's ports (hping3 exits 1
		// when nothing answers, as nothing should)
		network.execInLeft("sh", "-c", "hping3 -q -c 1 -F -P -U -s " + CLIENT_PORT + " -k -p " + PORT + " "
				+ network.rightAddress() + "; [ $? -le 1 ]");

		// THEN conntrack found it INVALID and the rule dropped it; the handshake passed
		assertThat(trace).packets(tcp().dstPort(PORT).tcpFlags(TcpFlag.FIN, TcpFlag.PSH, TcpFlag.URG)
						.ctState(ConntrackState.INVALID))
				.hasCount(1)
				.wereDropped()
				.byRule("-p tcp -m conntrack --ctstate INVALID -j DROP")
				.inChain("filter", "INPUT");
		assertThat(trace).packets(tcp().dstPort(PORT).tcpFlags(TcpFlag.SYN)).hasCount(1).wereNotDropped();
	}
	// }
}
