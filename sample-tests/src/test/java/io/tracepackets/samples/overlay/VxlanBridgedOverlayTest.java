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
 * An L2 overlay, as Docker's overlay networks wire it: the VXLAN device a port of each node's
 * bridge, the pods in one subnet. A pod's frame is bridged into the VXLAN port rather than routed
 * into the VXLAN device, and is still one journey from pod to pod, found by its own tuple, with
 * the underlay's shown where it is encapsulated; a rule on the underlay is named for it.
 */
@KernelTest
@TracePackets
@SuppressWarnings("try") // a receiver is a resource whose only job is to be open while the test sends
class VxlanBridgedOverlayTest {

	VxlanOverlay overlay;

	@BeforeEach
	void twoNodesBridged(PacketTrace trace) {
		overlay = VxlanOverlay.createBridged();
		overlay.paths().forEach(trace::scope);
	}

	@AfterEach
	void deleteOverlay() {
		if (overlay != null) {
			overlay.close();
		}
	}

	@Test
	void pod_to_pod_bridged_through_the_vxlan_port_is_one_journey(PacketTrace trace) {
		try (UdpReceiver receiver = Traffic.fromNetnsPath(overlay.rightPodPath()).receiveUdp(7000)) {
			// WHEN the left node's pod sends two datagrams to the right node's pod, in its own subnet
			Traffic.fromNetnsPath(overlay.leftPodPath()).udp().to(overlay.rightPodAddress(), 7000).send(2);

			// THEN each is one packet and one journey, from pod to pod
			assertThat(trace).packets(udp().dst(overlay.rightPodAddress()).dstPort(7000)).hasCount(2)
					.wereNotDropped().wereDelivered()
					.passedThrough("net_dev_queue", "net_dev_queue", "netif_receive_skb", "socket_receive");
			assertThat(trace).journeys(udp().dst(overlay.rightPodAddress()).dstPort(7000)).hasCount(2);
			// AND between the nodes they were VXLAN, sent out of the bridge's VXLAN port
			assertThat(trace.packets(udp().dst(overlay.rightPodAddress()).dstPort(7000))).allSatisfy(path -> {
				assertThat(path.events()).filteredOn(event -> event.encapsulation().isPresent()).isNotEmpty()
						.allSatisfy(event -> assertThat(event.encapsulation().orElseThrow().describe())
								.startsWith("vxlan " + overlay.leftNodeAddress() + ":")
								.endsWith(" > " + overlay.rightNodeAddress() + ":4789 vni 1"));
				assertThat(path.events()).anySatisfy(event -> assertThat(event.interfaceName())
						.isEqualTo(overlay.vxlanInterface()));
			});
			assertThat(trace).packets(udp().dst(overlay.rightNodeAddress()).dstPort(4789)).hasCount(2);
		}
	}

	@Test
	void an_underlay_rule_dropping_vxlan_is_named_for_the_bridged_pods_packets(PacketTrace trace) {
		// GIVEN the right node drops the overlay's UDP on its underlay
		overlay.execOnRightNode("iptables", "-A", "INPUT", "-p", "udp", "--dport", "4789", "-j", "DROP");

		// WHEN the left pod sends two datagrams to the right pod
		Traffic.fromNetnsPath(overlay.leftPodPath()).udp().to(overlay.rightPodAddress(), 7000).send(2);

		// THEN the pod's packets, found by their own tuple, were dropped on the underlay by that rule
		assertThat(trace).packets(udp().dst(overlay.rightPodAddress()).dstPort(7000)).hasCount(2).wereDropped()
				.byRule("-p udp --dport 4789 -j DROP").inChain("filter", "INPUT");
	}
}
