package io.tracepackets.samples;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.tracepackets.KernelTest;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.samples.support.VethNamespacesPerTest;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.ExchangeResult;
import io.tracepackets.traffic.Traffic;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A REJECT is half of the story: the other half is the answer the client gets, a TCP RST or an ICMP
 * error. These samples assert that answer, for REJECT rules and for the kernel's own refusals (a
 * closed TCP port's RST, a closed UDP port's port unreachable), in IPv4 and IPv6; and show what
 * a REJECT without {@code --reject-with tcp-reset} answers a TCP client instead.
 */
@KernelTest
@TracePackets
@ExtendWith(VethNamespacesPerTest.class)
class RejectsAsAnswersTest {

	static final String CLIENT6 = "fd00:7490::1";
	static final String SERVER6 = "fd00:7490::2";

	VethNamespaces network;

	@BeforeEach
	void scopeBothSides(PacketTrace trace) {
		trace.scope(network.leftPath()).scope(network.rightPath());
	}

	// rejectWithReset {
	@Test
	void a_reject_with_tcp_reset_refuses_the_connection_with_a_reset(PacketTrace trace) {
		// GIVEN the server rejects port 81 with a reset
		network.execInRight("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "81", "-j", "REJECT",
				"--reject-with", "tcp-reset");

		// WHEN the client connects
		ExchangeResult result = Traffic.fromNetnsPath(network.leftPath()).tcp().to(network.rightAddress(), 81)
				.connectAndSend("hello");

		// THEN the SYN was refused, and the answer was a RST
		assertThat(result.isRefused()).isTrue();
		assertThat(trace).packets(tcp().dstPort(81)).wereRejected().withReset();
	}
	// }

	// rejectPortUnreachable {
	@Test
	void a_udp_reject_answers_each_datagram_with_port_unreachable(PacketTrace trace) {
		// GIVEN
		network.execInRight("iptables", "-A", "INPUT", "-p", "udp", "--dport", "8096", "-j", "REJECT");

		// WHEN
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 8096).send(2);

		// THEN each datagram was dropped by the rule's chain and had its own answer
		assertThat(trace).packets(udp().dstPort(8096)).hasCount(2).wereDropped().inChain("filter", "INPUT");
		assertThat(trace).packets(udp().dstPort(8096)).wereRejected().withIcmp(3, 3);
	}
	// }

	// kernelRefusals {
	@Test
	void closed_ports_are_refused_by_the_kernel_itself(PacketTrace trace) {
		// WHEN the client tries a TCP port and a UDP port where nothing listens (no rule at all)
		ExchangeResult tcp = Traffic.fromNetnsPath(network.leftPath()).tcp().to(network.rightAddress(), 82)
				.connectAndSend("hello");
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 8097).send(1);

		// THEN the kernel answered the SYN with a RST and the datagram with port unreachable
		assertThat(tcp.isRefused()).isTrue();
		assertThat(trace).packets(tcp().dstPort(82)).wereRejected().withReset();
		assertThat(trace).packets(udp().dstPort(8097)).wereRejected().withPortUnreachable();
	}
	// }

	// rejectIpv6 {
	@Test
	void an_ip6tables_reject_answers_with_icmpv6_port_unreachable(PacketTrace trace) {
		// GIVEN IPv6 addresses on both sides, and the server's ip6tables rule
		network.execInLeft("ip", "addr", "add", CLIENT6 + "/64", "dev", network.leftInterface(), "nodad");
		network.execInRight("ip", "addr", "add", SERVER6 + "/64", "dev", network.rightInterface(), "nodad");
		network.execInRight("ip6tables", "-A", "INPUT", "-p", "udp", "--dport", "8096", "-j", "REJECT");

		// WHEN
		Traffic.fromNetnsPath(network.leftPath()).udp().to(SERVER6, 8096).send(1);

		// THEN ICMPv6 destination unreachable, port unreachable: type 1, code 4
		assertThat(trace).packets(udp().ipv6().dstPort(8096)).wereRejected().withIcmpv6(1, 4);
	}
	// }

	// rejectWithoutReset {
	@Test
	void a_tcp_reject_without_tcp_reset_answers_with_port_unreachable_not_a_reset(PacketTrace trace) {
		// GIVEN a REJECT rule for TCP that leaves out --reject-with tcp-reset
		network.execInRight("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "81", "-j", "REJECT");

		// WHEN the client connects (the port unreachable makes it give up, as a RST would)
		Traffic.fromNetnsPath(network.leftPath()).tcp().to(network.rightAddress(), 81).timeout(Duration.ofSeconds(2))
				.connect();

		// THEN the SYN was refused, but with ICMP port unreachable: expecting a reset fails
		assertThat(trace).packets(tcp().dstPort(81)).wereRejected().withIcmp(3, 3);
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp().dstPort(81)).wereRejected().withReset())
				.withMessageContaining("to be rejected with a TCP RST")
				.withMessageContaining("SYN: answered by ICMP port unreachable (type 3 code 3)")
				.satisfies(failure -> System.out.println("withReset() on a REJECT without tcp-reset:"
						+ failure.getMessage()));
	}
	// }

	// dropIsNoReject {
	@Test
	void a_drop_rule_answers_nothing(PacketTrace trace) {
		// GIVEN a DROP where a REJECT was meant
		network.execInRight("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "83", "-j", "DROP");

		// WHEN the client connects, and gives up after half a second
		ExchangeResult result = Traffic.fromNetnsPath(network.leftPath()).tcp().to(network.rightAddress(), 83)
				.timeout(Duration.ofMillis(500)).connect();

		// THEN no answer came: the failure lists the SYN with "no answer traced" and the rule that dropped it
		assertThat(result.isRefused()).isFalse();
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp().dstPort(83)).wereRejected().withReset())
				.withMessageContaining("SYN: no answer traced; dropped at ")
				.withMessageContaining("--dport 83 -j DROP")
				.satisfies(failure -> System.out.println("wereRejected() on a DROP:" + failure.getMessage()));
	}
	// }
}
