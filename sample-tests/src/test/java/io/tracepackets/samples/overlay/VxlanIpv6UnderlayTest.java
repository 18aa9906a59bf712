package io.tracepackets.samples.overlay;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.KernelTest;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.testing.VxlanOverlay;
import io.tracepackets.traffic.Traffic;
import io.tracepackets.traffic.UdpReceiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The overlay of {@link VxlanOverlayTest} on an IPv6 underlay, as a dual-stack cluster's nodes
 * carry it: IPv4 pods, their packets encapsulated in IPv6 UDP between the nodes. The pods'
 * packets are still found by their own tuple and followed as one journey, the underlay's IPv6
 * tuple is shown where they are encapsulated, and an ip6tables rule on the underlay is named.
 */
@KernelTest
@TracePackets
@SuppressWarnings("try") // a receiver is a resource whose only job is to be open while the test sends
class VxlanIpv6UnderlayTest {

	VxlanOverlay overlay;

	@BeforeEach
	void twoNodesOnIpv6(PacketTrace trace) {
		overlay = VxlanOverlay.createWithIpv6Underlay();
		overlay.paths().forEach(trace::scope);
	}

	@AfterEach
	void deleteOverlay() {
		if (overlay != null) {
			overlay.close();
		}
	}

	@Test
	void pod_to_pod_over_an_ipv6_underlay_is_one_journey(PacketTrace trace) {
		try (UdpReceiver receiver = Traffic.fromNetnsPath(overlay.rightPodPath()).receiveUdp(7000)) {
			// WHEN the left node's pod sends two datagrams to the right node's pod
			Traffic.fromNetnsPath(overlay.leftPodPath()).udp().to(overlay.rightPodAddress(), 7000).send(2);

			// THEN each is one packet and one journey, from pod to pod
			assertThat(trace).packets(udp().dst(overlay.rightPodAddress()).dstPort(7000)).hasCount(2)
					.wereNotDropped().wereDelivered();
			assertThat(trace).journeys(udp().dst(overlay.rightPodAddress()).dstPort(7000)).hasCount(2);
			// AND between the nodes they were VXLAN in IPv6 UDP, which the underlay's tuple finds too
			assertThat(trace.packets(udp().dst(overlay.rightPodAddress()).dstPort(7000))).allSatisfy(path -> assertThat(
					path.events()).filteredOn(event -> event.encapsulation().isPresent()).isNotEmpty()
					.allSatisfy(event -> assertThat(event.encapsulation().orElseThrow().describe())
							.startsWith("vxlan [" + overlay.leftNodeAddress() + "]:")
							.endsWith(" > [" + overlay.rightNodeAddress() + "]:4789 vni 1")));
			assertThat(trace).packets(udp().ipv6().dst(overlay.rightNodeAddress()).dstPort(4789)).hasCount(2);
		}
	}

	@Test
	void an_ip6tables_rule_dropping_vxlan_on_the_underlay_is_named_for_the_pods_packets(PacketTrace trace) {
		// GIVEN the right node drops the overlay's UDP on its IPv6 underlay
		overlay.execOnRightNode("ip6tables", "-A", "INPUT", "-p", "udp", "--dport", "4789", "-j", "DROP");

		// WHEN the left pod sends two datagrams to the right pod
		Traffic.fromNetnsPath(overlay.leftPodPath()).udp().to(overlay.rightPodAddress(), 7000).send(2);

		// THEN the pod's packets, found by their own tuple, were dropped on the underlay by that rule
		assertThat(trace).packets(udp().dst(overlay.rightPodAddress()).dstPort(7000)).hasCount(2).wereDropped()
				.byRule("-p udp --dport 4789 -j DROP").inChain("filter", "INPUT");
	}
}
