package io.tracepackets.samples.vm;

import static io.tracepackets.DropReason.NETFILTER_DROP;
import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static org.assertj.core.api.Assertions.assertThat;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;

import io.tracepackets.PacketTrace;
import io.tracepackets.KernelTest;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.ExchangeResult;
import io.tracepackets.traffic.Traffic;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * pwru's view, asserted: UDP from one namespace to another over veth, followed through kernel
 * functions. Subclasses pick the backend; the suite runs in the kernel VM (tag {@value #TAG}),
 * since this host's kernel has neither kprobes nor fentry.
 */
@KernelTest
@Tag(VethFunctionPathTest.TAG)
abstract class VethFunctionPathTest {

	static final String TAG = "kernel-vm";
	/** The functions these tests assert on, plus the receive path; a narrow set attaches fast. */
	static final String FUNCTIONS = "^(ip_output|ip_finish_output2?|__dev_queue_xmit|dev_hard_start_xmit|veth_xmit"
			+ "|__netif_receive_skb_core|ip_rcv|ip_rcv_finish|ip_local_deliver|nf_hook_slow|udp_rcv|__udp4_lib_rcv)$";

	VethNamespaces network;

	@BeforeEach
	void network() {
		network = VethNamespaces.create();
	}

	@AfterEach
	void removeNetwork() {
		network.close();
	}

	// vethPath {
	@Test
	void a_datagram_to_the_other_namespace_passes_through_ip_output_then_the_veth(PacketTrace trace) {
		// GIVEN both namespaces in scope
		trace.scope(network.leftPath()).scope(network.rightPath());

		// WHEN the left namespace sends to the right one
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 7000).send(3);

		// THEN
		assertThat(trace).packets(udp().dstPort(7000))
				.hasCount(3)
				.reached("ip_output")
				.passedThrough("ip_output", "__dev_queue_xmit", "veth_xmit");
	}
	// }

	@Test
	void an_iptables_legacy_drop_stops_the_datagram_before_udp_rcv(PacketTrace trace) {
		// GIVEN a DROP rule in the receiving namespace
		network.execInRight("iptables-legacy", "-A", "INPUT", "-p", "udp", "--dport", "7001", "-j", "DROP");
		trace.scope(network.leftPath()).scope(network.rightPath());

		// WHEN
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 7001).send(2);

		// THEN
		assertThat(trace).packets(udp().dstPort(7001))
				.hasCount(2)
				.wereDropped().in("nf_hook_slow").withReason(NETFILTER_DROP);
		assertThat(trace).packets(udp().dstPort(7001)).reached("ip_rcv").neverReached("udp_rcv");
	}

	@Test
	void a_tcp_echo_exchange_between_namespaces_loses_nothing(PacketTrace trace) throws Exception {
		// GIVEN a TCP echo server in the right namespace, both namespaces in scope
		Process echo = startEchoServer(9002);
		try {
			trace.scope(network.leftPath()).scope(network.rightPath());

			// WHEN the left namespace connects, sends and reads the echo, then closes
			ExchangeResult result = Traffic.fromNetnsPath(network.leftPath()).tcp().to(network.rightAddress(), 9002)
					.connectAndSend("hello, kernel");

			// THEN the whole connection, teardown included, was delivered: a FIN that a closed
			// socket purges, or that TIME_WAIT answers, is discarded after delivery, not dropped
			assertThat(result.receivedText()).as("%s", result).isEqualTo("hello, kernel");
			assertThat(trace).packets(tcp().port(9002)).wereNotDropped().wereDelivered();
		} finally {
			echo.destroyForcibly().waitFor();
		}
	}

	/** socat echoing every connection, listening before this returns. */
	private Process startEchoServer(int port) throws IOException, InterruptedException {
		Process process = new ProcessBuilder("ip", "netns", "exec", network.rightName(), "socat",
				"TCP-LISTEN:" + port + ",reuseaddr,fork", "PIPE").redirectErrorStream(true).start();
		long deadline = System.nanoTime() + 10_000_000_000L;
		while (!network.execInRight("ss", "-ltn").contains(":" + port + " ")) {
			if (!process.isAlive() || System.nanoTime() > deadline) {
				process.destroyForcibly();
				throw new IllegalStateException("socat did not listen on " + port + " in " + network.rightName()
						+ ": " + new String(process.getInputStream().readNBytes(2000)));
			}
			Thread.sleep(20);
		}
		return process;
	}
}
