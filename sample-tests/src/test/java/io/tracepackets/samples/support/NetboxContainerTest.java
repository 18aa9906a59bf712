package io.tracepackets.samples.support;

import io.tracepackets.KernelTest;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.samples.support.NetboxContainer.IptablesVariant;
import io.tracepackets.traffic.Outcome;
import io.tracepackets.traffic.ExchangeResult;
import io.tracepackets.traffic.Traffic;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/** Smoke test of the netbox image: it starts, its firewall tools work, its listeners answer. */
@KernelTest
@Testcontainers
class NetboxContainerTest {

	@Container
	static final NetboxContainer NETBOX = new NetboxContainer();

	@Test
	void startsFromTheLocalImageOnTheBridge() {
		assertThat(NETBOX.isRunning()).isTrue();
		assertThat(NETBOX.getDockerImageName()).isEqualTo(NetboxContainer.IMAGE);
		assertThat(NETBOX.ipAddress()).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
	}

	@Test
	void bothIptablesVariantsAddRules() {
		NETBOX.iptables(IptablesVariant.NFT, "-A", "INPUT", "-p", "udp", "--dport", "9100", "-j", "DROP");
		NETBOX.iptables(IptablesVariant.LEGACY, "-A", "INPUT", "-p", "udp", "--dport", "9101", "-j", "DROP");

		assertThat(NETBOX.iptables(IptablesVariant.NFT, "-S", "INPUT")).contains("--dport 9100 -j DROP");
		assertThat(NETBOX.iptables(IptablesVariant.LEGACY, "-S", "INPUT")).contains("--dport 9101 -j DROP");

		NETBOX.iptables(IptablesVariant.NFT, "-D", "INPUT", "-p", "udp", "--dport", "9100", "-j", "DROP");
		NETBOX.iptables(IptablesVariant.LEGACY, "-D", "INPUT", "-p", "udp", "--dport", "9101", "-j", "DROP");
	}

	@Test
	void udpDatagramsFromTheHostReachTheReceiver() {
		String before = NETBOX.udpReceived(NetboxContainer.UDP_PORT_2);

		int sent = Traffic.udp().to(NETBOX.ipAddress(), NetboxContainer.UDP_PORT_2).payload("smoke\n").send(4);

		assertThat(sent).isEqualTo(4);
		assertThat(receivedSince(NetboxContainer.UDP_PORT_2, before, "smoke\n".repeat(4))).isEqualTo("smoke\n".repeat(4));
	}

	@Test
	void udpSentFromInsideTheContainerNamespaceReachesItsLoopback() {
		String before = NETBOX.udpReceived(NetboxContainer.UDP_PORT);

		// 127.0.0.1 is the container's own loopback only if the socket was created in its namespace.
		int sent = Traffic.from(NETBOX).udp().to("127.0.0.1", NetboxContainer.UDP_PORT).payload("inside\n").send(2);

		assertThat(sent).isEqualTo(2);
		assertThat(receivedSince(NetboxContainer.UDP_PORT, before, "inside\ninside\n")).isEqualTo("inside\ninside\n");
	}

	@Test
	void tcpEchoAnswers() {
		ExchangeResult result = Traffic.tcp().to(NETBOX.ipAddress(), NetboxContainer.TCP_ECHO_PORT).connectAndSend("echo me");

		assertThat(result.outcome()).as(result.toString()).isEqualTo(Outcome.COMPLETED);
		assertThat(result.receivedText()).isEqualTo("echo me");
	}

	@Test
	void tcpRejectedByIptablesIsRefused() {
		String[] rule = {"INPUT", "-p", "tcp", "--dport", "9002", "-j", "REJECT", "--reject-with", "tcp-reset"};
		NETBOX.iptables(IptablesVariant.LEGACY, prepend("-I", rule));
		try {
			ExchangeResult result = Traffic.tcp().to(NETBOX.ipAddress(), NetboxContainer.TCP_ECHO_PORT).connectAndSend("x");

			assertThat(result.outcome()).as(result.toString()).isEqualTo(Outcome.REFUSED);
		} finally {
			NETBOX.iptables(IptablesVariant.LEGACY, prepend("-D", rule));
		}
	}

	@Test
	void httpAnswers() {
		var result = Traffic.http().get("http://" + NETBOX.ipAddress() + ":" + NetboxContainer.HTTP_PORT + "/");

		assertThat(result.status()).as(result.toString()).isEqualTo(200);
		assertThat(result.body()).isEqualTo("ok\n");
	}

	/** What the receiver on {@code port} logged after {@code before}, polled until it is {@code expected} or 5 s pass. */
	private static String receivedSince(int port, String before, String expected) {
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		String got;
		do {
			got = NETBOX.udpReceived(port).substring(before.length());
			if (got.equals(expected)) {
				return got;
			}
			sleep(Duration.ofMillis(50));
		} while (System.nanoTime() < deadline);
		return got;
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	private static String[] prepend(String first, String[] rest) {
		String[] all = new String[rest.length + 1];
		all[0] = first;
		System.arraycopy(rest, 0, all, 1, rest.length);
		return all;
	}
}
