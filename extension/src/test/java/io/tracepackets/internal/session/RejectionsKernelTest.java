package io.tracepackets.internal.session;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.tracepackets.Answer;
import io.tracepackets.KernelTest;
import io.tracepackets.internal.window.TraceWindow;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.ExchangeResult;
import io.tracepackets.traffic.Traffic;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real refusals between two namespaces, each answered where the right namespace refuses: by a
 * REJECT rule (ICMP port unreachable, a TCP RST) or by the kernel itself (a closed TCP port's RST,
 * a closed UDP port's port unreachable), in IPv4 and IPv6; and a DROP, which answers nothing.
 */
@KernelTest
class RejectionsKernelTest {

	private static final String LEFT6 = "fd00:7480::1";
	private static final String RIGHT6 = "fd00:7480::2";

	private static TraceSession session;
	private VethNamespaces veth;

	@BeforeAll
	static void startTracer() {
		session = TraceSession.start(TracerOptions.defaults());
	}

	@AfterAll
	static void stopTracer() {
		if (session != null) {
			session.close();
		}
	}

	@BeforeEach
	void namespaces() {
		veth = VethNamespaces.create();
		VethNamespaces.ip("-n", veth.leftName(), "addr", "add", LEFT6 + "/64", "dev", veth.leftInterface(), "nodad");
		VethNamespaces.ip("-n", veth.rightName(), "addr", "add", RIGHT6 + "/64", "dev", veth.rightInterface(), "nodad");
	}

	@AfterEach
	void deleteNamespaces() {
		veth.close();
	}

	private TraceWindow trace(Duration await) {
		TraceWindow trace = TraceWindow.open(session, await);
		trace.scope(veth.leftPath()).scope(veth.rightPath());
		return trace;
	}

	@Test
	void a_reject_rule_answers_udp_with_port_unreachable() {
		veth.execInRight("iptables", "-A", "INPUT", "-p", "udp", "--dport", "8096", "-j", "REJECT");
		try (TraceWindow trace = trace(Duration.ofSeconds(3))) {
			// WHEN two datagrams go to the rejected port
			Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), 8096).send(2);

			// THEN each had its own ICMP port unreachable back
			assertThat(trace).packets(udp().dstPort(8096)).hasCount(2).wereDropped();
			var answers = assertThat(trace).packets(udp().dstPort(8096)).wereRejected().withIcmp(3, 3)
					.withPortUnreachable().answers();
			assertThat(answers).hasSize(2).allSatisfy(answer -> {
				assertThat(answer.event().source().getHostAddress()).isEqualTo(veth.rightAddress());
				assertThat(answer.event().destination().getHostAddress()).isEqualTo(veth.leftAddress());
			});
			// two answers, not one found twice (the second may reuse the first's freed skb address)
			assertThat(answers.get(0).path()).isNotSameAs(answers.get(1).path());
			assertThat(answers.get(0).event().timestampNanos()).isNotEqualTo(answers.get(1).event().timestampNanos());
			assertThatExceptionOfType(AssertionError.class)
					.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(8096)).wereRejected().withReset())
					.withMessageContaining("answered by ICMP port unreachable (type 3 code 3) " + veth.rightAddress()
							+ " > " + veth.leftAddress());
		}
	}

	@Test
	void a_reject_rule_with_tcp_reset_answers_the_syn_with_a_reset() {
		veth.execInRight("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "81", "-j", "REJECT", "--reject-with",
				"tcp-reset");
		try (TraceWindow trace = trace(Duration.ofSeconds(3))) {
			// WHEN
			ExchangeResult result = Traffic.fromNetnsPath(veth.leftPath()).tcp().to(veth.rightAddress(), 81)
					.connectAndSend("hello");

			// THEN the client was refused, and the trace shows with what
			assertThat(result.isRefused()).as("connection to a REJECT rule: %s", result).isTrue();
			Answer reset = assertThat(trace).packets(tcp().dstPort(81)).wereRejected().withReset().answers().getFirst();
			assertThat(reset.event().sourcePort()).isEqualTo(81);
			assertThat(reset.describe()).startsWith("TCP RST " + veth.rightAddress() + ":81 > " + veth.leftAddress() + ":");
			String failure = failureOf(() -> assertThat(trace).packets(tcp().dstPort(81)).wereRejected().withIcmp(3, 3));
			assertThat(failure).contains("to be rejected with ICMP port unreachable (type 3 code 3)",
					"SYN: answered by TCP RST " + veth.rightAddress() + ":81 > ");
			System.out.println("A RST expected to be port unreachable:" + failure);
		}
	}

	@Test
	void the_kernel_answers_a_syn_to_a_closed_port_with_a_reset() {
		try (TraceWindow trace = trace(Duration.ofSeconds(3))) {
			ExchangeResult result = Traffic.fromNetnsPath(veth.leftPath()).tcp().to(veth.rightAddress(), 82)
					.connectAndSend("hello");

			assertThat(result.isRefused()).as("connection to a closed port: %s", result).isTrue();
			assertThat(trace).packets(tcp().dstPort(82)).wereRejected().withReset();
		}
	}

	@Test
	void the_kernel_answers_a_datagram_to_a_closed_port_with_port_unreachable() {
		try (TraceWindow trace = trace(Duration.ofSeconds(3))) {
			Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), 8097).send(1);

			assertThat(trace).packets(udp().dstPort(8097)).wereRejected().withIcmp(3, 3);
		}
	}

	@Test
	void ipv6_rejects_and_closed_ports_answer_with_icmpv6_port_unreachable() {
		veth.execInRight("ip6tables", "-A", "INPUT", "-p", "udp", "--dport", "8096", "-j", "REJECT");
		try (TraceWindow trace = trace(Duration.ofSeconds(3))) {
			Traffic.fromNetnsPath(veth.leftPath()).udp().to(RIGHT6, 8096).send(1);
			Traffic.fromNetnsPath(veth.leftPath()).udp().to(RIGHT6, 8097).send(1);
			ExchangeResult closed = Traffic.fromNetnsPath(veth.leftPath()).tcp().to(RIGHT6, 82).connectAndSend("x");

			assertThat(trace).packets(udp().ipv6().dstPort(8096)).wereRejected().withIcmpv6(1, 4).withPortUnreachable();
			assertThat(trace).packets(udp().ipv6().dstPort(8097)).wereRejected().withIcmpv6(1, 4);
			assertThat(closed.isRefused()).as("IPv6 connection to a closed port: %s", closed).isTrue();
			assertThat(trace).packets(tcp().ipv6().dstPort(82)).wereRejected().withReset();
			assertThat(failureOf(() -> assertThat(trace).packets(udp().ipv6().dstPort(8096)).wereRejected()
					.withIcmp(3, 3))).contains("answered by ICMPv6 port unreachable (type 1 code 4) " + RIGHT6 + " > "
							+ LEFT6);
		}
	}

	@Test
	void with_packet_bytes_an_icmp_error_is_tied_by_the_headers_it_quotes() {
		veth.execInRight("ip6tables", "-A", "INPUT", "-p", "udp", "--dport", "8096", "-j", "REJECT");
		try (TraceSession withBytes = TraceSession.start(TracerOptions.defaults().withSnapLength(128));
				TraceWindow trace = TraceWindow.open(withBytes, Duration.ofSeconds(3))) {
			trace.scope(veth.leftPath()).scope(veth.rightPath());
			Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), 8097).send(2);
			Traffic.fromNetnsPath(veth.leftPath()).udp().to(RIGHT6, 8096).send(1);

			assertThat(assertThat(trace).packets(udp().ipv4().dstPort(8097)).wereRejected().withIcmp(3, 3).answers())
					.hasSize(2).allMatch(Answer::namesItsPacket, "tied by its quoted headers");
			assertThat(assertThat(trace).packets(udp().ipv6().dstPort(8096)).wereRejected().withIcmpv6(1, 4).answers())
					.singleElement().matches(Answer::namesItsPacket, "tied by its quoted headers");
		}
	}

	@Test
	void a_router_that_rejects_what_it_forwards_answers_from_its_own_address() {
		// GIVEN left as a client, right as its router, and a server namespace behind the router
		String subnet = veth.leftAddress().split("\\.")[2];
		String server = veth.leftName().substring(0, veth.leftName().length() - 1) + "c";
		String serverAddress = "10.233." + subnet + ".2";
		VethNamespaces.ip("netns", "add", server);
		try {
			VethNamespaces.ip("link", "add", "tpr", "netns", veth.rightName(), "type", "veth", "peer", "name", "tps",
					"netns", server);
			VethNamespaces.ip("-n", veth.rightName(), "addr", "add", "10.233." + subnet + ".1/24", "dev", "tpr");
			VethNamespaces.ip("-n", server, "addr", "add", serverAddress + "/24", "dev", "tps");
			VethNamespaces.ip("-n", veth.rightName(), "link", "set", "tpr", "up");
			VethNamespaces.ip("-n", server, "link", "set", "tps", "up");
			VethNamespaces.ip("-n", server, "link", "set", "lo", "up");
			VethNamespaces.ip("-n", server, "route", "add", "default", "via", "10.233." + subnet + ".1");
			VethNamespaces.ip("-n", veth.leftName(), "route", "add", "10.233." + subnet + ".0/24", "via",
					veth.rightAddress());
			veth.execInRight("sysctl", "-qw", "net.ipv4.ip_forward=1");
			veth.execInRight("iptables", "-A", "FORWARD", "-p", "udp", "--dport", "8096", "-j", "REJECT", "--reject-with",
					"icmp-admin-prohibited");
			veth.execInRight("iptables", "-A", "FORWARD", "-p", "tcp", "--dport", "81", "-j", "REJECT", "--reject-with",
					"tcp-reset");
			try (TraceWindow trace = trace(Duration.ofSeconds(3))) {
				// WHEN the client sends through the router to the server
				Traffic.fromNetnsPath(veth.leftPath()).udp().to(serverAddress, 8096).send(1);
				ExchangeResult result = Traffic.fromNetnsPath(veth.leftPath()).tcp().to(serverAddress, 81)
						.connectAndSend("hello");

				// THEN the router answered: ICMP from its own address, a RST in the server's name
				Answer prohibited = assertThat(trace).packets(udp().dstPort(8096)).wereRejected().withIcmp(3, 13)
						.answers().getFirst();
				assertThat(prohibited.event().source().getHostAddress()).isEqualTo(veth.rightAddress());
				assertThat(result.isRefused()).as("connection through a rejecting router: %s", result).isTrue();
				Answer reset = assertThat(trace).packets(tcp().dstPort(81)).wereRejected().withReset().answers()
						.getFirst();
				assertThat(reset.event().source().getHostAddress()).isEqualTo(serverAddress);
				// and the SYN, which the router gave a buffer of its own before dropping it, is one packet
				assertThat(trace).packets(tcp().dstPort(81)).hasCount(1).wereDropped();
			}
		} finally {
			VethNamespaces.ip("netns", "del", server);
		}
	}

	@Test
	void a_drop_rule_answers_nothing_and_the_failure_shows_the_drop() {
		veth.execInRight("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "83", "-j", "DROP");
		try (TraceWindow trace = trace(Duration.ofSeconds(1))) {
			ExchangeResult result = Traffic.fromNetnsPath(veth.leftPath()).tcp().to(veth.rightAddress(), 83)
					.timeout(Duration.ofMillis(500)).connect();
			assertThat(result.isRefused()).as("a dropped SYN is not refused: %s", result).isFalse();

			String failure = failureOf(() -> assertThat(trace).packets(tcp().dstPort(83)).wereRejected());
			assertThat(failure).contains("to be rejected: answered by a TCP RST or an ICMP error",
					"SYN: no answer traced; dropped at ", "(NETFILTER_DROP) by ", "--dport 83 -j DROP",
					"kfree_skb NETFILTER_DROP");
			System.out.println("A DROP expected to be a reject:" + failure);
		}
	}

	private static String failureOf(Runnable assertion) {
		try {
			assertion.run();
		} catch (AssertionError failure) {
			return failure.getMessage();
		}
		throw new AssertionError("expected the assertion to fail");
	}
}
