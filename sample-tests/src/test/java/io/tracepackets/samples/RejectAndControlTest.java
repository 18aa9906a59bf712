package io.tracepackets.samples;

import static io.tracepackets.DropReason.NETFILTER_DROP;
import static io.tracepackets.PacketFilter.icmp;
import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.KernelTest;
import io.tracepackets.samples.support.NetboxContainer;
import io.tracepackets.samples.support.NetboxContainer.IptablesVariant;
import io.tracepackets.traffic.ExchangeResult;
import io.tracepackets.traffic.Traffic;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/** REJECT answers and drops; with no rule at all nothing of ours is dropped. */
@KernelTest
@Testcontainers
@TracePackets
class RejectAndControlTest {

	@Container
	NetboxContainer netbox = new NetboxContainer();

	@Test
	void a_tcp_reject_drops_the_syn_and_answers_with_a_reset(PacketTrace trace) {
		// GIVEN
		netbox.iptables(IptablesVariant.NFT, "-A", "INPUT", "-p", "tcp", "--dport", "9002", "-j", "REJECT",
				"--reject-with", "tcp-reset");

		// WHEN
		ExchangeResult result = Traffic.tcp().to(netbox.ipAddress(), 9002).connectAndSend("hello");

		// THEN the client saw a refusal, and the kernel shows why
		assertThat(result.isRefused()).as("connection to a REJECT rule: %s", result).isTrue();
		assertThat(trace).packets(tcp().dstPort(9002)).wereDropped().in("nf_hook_slow").withReason(NETFILTER_DROP);
		assertThat(trace).packets(tcp().srcPort(9002)).reached("net_dev_start_xmit").wereNotDropped();
	}

	@Test
	void a_udp_reject_drops_the_datagram_and_sends_port_unreachable(PacketTrace trace) {
		// (IPv6 neighbour discovery from the bridge is ICMP too: hence type and code below)
		// GIVEN
		netbox.iptables(IptablesVariant.LEGACY, "-A", "INPUT", "-p", "udp", "--dport", "9000", "-j", "REJECT");

		// WHEN
		Traffic.udp().to(netbox.ipAddress(), 9000).send(2);

		// THEN
		assertThat(trace).packets(udp().dstPort(9000)).hasCount(2).wereDropped().in("nf_hook_slow")
				.withReason(NETFILTER_DROP);
		assertThat(trace).packets(icmp().ipv4().icmpType(3).icmpCode(3)).reached("net_dev_start_xmit");
	}

	@Test
	void without_a_rule_nothing_is_dropped(PacketTrace trace) {
		// WHEN datagrams to both receivers and a TCP echo round trip
		Traffic.udp().to(netbox.ipAddress(), 9000).send(3);
		Traffic.udp().to(netbox.ipAddress(), 9001).send(3);
		ExchangeResult echo = Traffic.tcp().to(netbox.ipAddress(), 9002).connectAndSend("ping");

		// THEN
		assertThat(echo.isEchoed()).as("echo: %s", echo).isTrue();
		assertThat(trace).packets(udp().dstPort(9000)).hasCount(3).wereDelivered();
		assertThat(trace).packets(udp().dstPort(9001)).hasCount(3).wereNotDropped();
		assertThat(trace).packets(tcp().dstPort(9002)).wereNotDropped().reached("netif_receive_skb");
	}
}
