package io.tracepackets.samples;

import static io.tracepackets.DropKind.LOST;
import static io.tracepackets.DropReason.NETFILTER_DROP;
import static io.tracepackets.DropReason.NO_SOCKET;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;

import io.tracepackets.KernelTest;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.samples.support.VethNamespacesPerTest;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A load test: a firewall rule under a flood. How many datagrams the kernel dropped, and why, is
 * counted in the kernel by the probes, so the answers are exact however many of the flood's
 * events the trace could keep (with the default 16 MiB ring buffer a flood of a few seconds loses
 * most of them, and an assertion on the packets' paths then fails saying so).
 *
 * <p>The pcap filter keeps UDP only, in the events and in the counts alike: the veth pair's own
 * IPv6 chatter (router solicitations, multicast listener reports) is dropped in the right
 * namespace too, a few times at a random moment, and "nothing else dropped" is about the flood.
 */
@KernelTest
@TracePackets(filter = "udp")
@ExtendWith(VethNamespacesPerTest.class)
class FirewallUnderFloodTest {

	VethNamespaces network;

	@BeforeEach
	void firewallRule() {
		// The right namespace's firewall drops UDP to 9000; nothing listens on 9001 there.
		network.execInRight("iptables", "-A", "INPUT", "-p", "udp", "--dport", "9000", "-j", "DROP");
	}

	// floodCounts {
	@Test
	void under_a_flood_the_rule_drops_every_datagram_to_9000_and_no_socket_takes_those_to_9001(PacketTrace trace) {
		// GIVEN both namespaces in scope, and a DROP rule for UDP 9000 in the right one
		trace.scope(network.leftPath()).scope(network.rightPath());

		// WHEN the left namespace floods 9000, then 9001, for a second each
		long toTheRule = Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 9000)
				.flood(Duration.ofSeconds(1));
		long toNoSocket = Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 9001)
				.flood(Duration.ofSeconds(1));

		// THEN the kernel's exact counts: the rule dropped every datagram to 9000, UDP found no socket
		// for every one to 9001, and the right namespace dropped none for another reason
		assertThat(trace).drops().withReason(NETFILTER_DROP).inNamespace(network.rightInode()).hasCount(toTheRule);
		assertThat(trace).drops().withReason(NO_SOCKET).inNamespace(network.rightInode()).hasCount(toNoSocket);
		assertThat(trace).drops().ofKind(LOST).inNamespace(network.rightInode()).hasCount(toTheRule + toNoSocket);
		assertThat(trace).counts().at("net_dev_start_xmit").isAtLeast(toTheRule + toNoSocket);
	}
	// }
}
