package io.tracepackets.samples;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.Journey;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.assertj.error.PwruFormat;
import io.tracepackets.samples.support.VethNamespacesPerTest;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A packet sent to an address that DNAT rewrites is found by the address it was sent to: its
 * journey goes on, with its new destination, into the namespace it was sent to. On this host the
 * tracepoints see the packet only after OUTPUT's DNAT; the tuple before it comes from conntrack.
 */
@KernelTest
@TracePackets
@ExtendWith(VethNamespacesPerTest.class)
class DnatJourneyTest {

	static final String VIRTUAL_ADDRESS = "10.10.20.99";

	VethNamespaces network;

	@BeforeEach
	void dnatRule() {
		// The left namespace routes the virtual address to the veth, then DNAT sends it to the peer.
		network.execInLeft("ip", "route", "add", VIRTUAL_ADDRESS, "dev", network.leftInterface());
		network.execInLeft("iptables", "-t", "nat", "-A", "OUTPUT", "-d", VIRTUAL_ADDRESS, "-p", "udp", "--dport",
				"7600", "-j", "DNAT", "--to-destination", network.rightAddress());
	}

	// dnatJourney {
	@Test
	void datagrams_sent_to_a_dnat_address_are_found_by_the_address_they_were_sent_to(PacketTrace trace) {
		// GIVEN both namespaces in scope, and a DNAT rule from 10.10.20.99:7600 to the right namespace
		trace.scope(network.leftPath()).scope(network.rightPath());

		// WHEN the left namespace sends three datagrams to 10.10.20.99:7600
		Traffic.fromNetnsPath(network.leftPath()).udp().to(VIRTUAL_ADDRESS, 7600).send(3);

		// THEN each is one journey, found by its original destination, rewritten to the peer
		assertThat(trace).packets(udp().dst(VIRTUAL_ADDRESS).dstPort(7600)).hasCount(3).reached("netif_receive_skb");
		assertThat(trace).journeys(udp().dst(VIRTUAL_ADDRESS).dstPort(7600)).hasCount(3);
	}
	// }

	@Test
	void the_only_journey_was_translated_to_the_peer_and_crossed_into_its_namespace(PacketTrace trace) {
		// GIVEN
		trace.scope(network.leftPath()).scope(network.rightPath());

		// WHEN
		Traffic.fromNetnsPath(network.leftPath()).udp().to(VIRTUAL_ADDRESS, 7600).send(1);

		// THEN one journey, from the left namespace's device queue to the right namespace's stack
		assertThat(trace).journeys(udp().dst(VIRTUAL_ADDRESS).dstPort(7600))
				.theOnlyJourney()
				.wasTranslatedTo(network.rightAddress(), 7600)
				.reached("net_dev_queue")
				.reached("netif_receive_skb");
		Journey journey = trace.journeys().stream().filter(j -> udp().dstPort(7600).matches(j)).findFirst().orElseThrow();
		assertThat(journey.events()).extracting(e -> e.netns()).contains(network.leftInode(), network.rightInode());
		System.out.println(PwruFormat.render(trace, journey.paths()));
	}
}
