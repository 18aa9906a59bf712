package io.tracepackets.samples.overlay;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.KernelTest;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.assertj.error.PwruFormat;
import io.tracepackets.testing.VxlanOverlay;
import io.tracepackets.traffic.Traffic;
import io.tracepackets.traffic.UdpReceiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pod to pod across nodes, through a VXLAN overlay: a packet is one journey from the sending pod
 * through its node's VXLAN device, the underlay between the nodes and the other node's VXLAN
 * device into the receiving pod, found by its own (inner) tuple all the way, with the underlay's
 * (outer) tuple shown where it is encapsulated; a rule on the underlay is named for it. Each
 * subclass wires the overlay its way ({@link #wire()}): as flannel does, on an IPv6 underlay, as
 * Docker's L2 overlay networks do.
 */
@KernelTest
@TracePackets
@SuppressWarnings("try") // a receiver is a resource whose only job is to be open while the test sends
abstract class VxlanOverlayJourneyTest {

	VxlanOverlay overlay;

	/** The overlay of this class's tests, built for each. */
	abstract VxlanOverlay wire();

	/** The underlay's firewall: {@code iptables}, or {@code ip6tables} on an IPv6 underlay. */
	String firewall() {
		return "iptables";
	}

	@BeforeEach
	void twoNodes(PacketTrace trace) {
		overlay = wire();
		overlay.paths().forEach(trace::scope);
	}

	@AfterEach
	void deleteOverlay() {
		if (overlay != null) {
			overlay.close();
		}
	}

	// overlayDelivered {
	@Test
	void pod_to_pod_across_the_overlay_is_one_journey(PacketTrace trace) {
		try (UdpReceiver receiver = Traffic.fromNetnsPath(overlay.rightPodPath()).receiveUdp(7000)) {
			// WHEN the left node's pod sends two datagrams to the right node's pod
			Traffic.fromNetnsPath(overlay.leftPodPath()).udp().to(overlay.rightPodAddress(), 7000).send(2);

			// THEN each is one packet and one journey, from pod to pod, through the VXLAN device
			assertThat(trace).packets(udp().dst(overlay.rightPodAddress()).dstPort(7000)).hasCount(2)
					.wereNotDropped().wereDelivered()
					.passedThrough("net_dev_queue", "net_dev_queue", "netif_receive_skb", "socket_receive");
			assertThat(trace).journeys(udp().dst(overlay.rightPodAddress()).dstPort(7000)).hasCount(2);
			assertThat(trace.packets(udp().dst(overlay.rightPodAddress()).dstPort(7000))).allSatisfy(path -> assertThat(
					path.events()).extracting(PacketEvent::interfaceName).contains(overlay.vxlanInterface()));
			// AND on the underlay they were VXLAN between the nodes, which the underlay's tuple finds too
			assertThat(trace.packets(udp().dst(overlay.rightPodAddress()).dstPort(7000))).allSatisfy(path -> assertThat(
					path.events()).filteredOn(event -> event.encapsulation().isPresent()).isNotEmpty()
					.allSatisfy(event -> assertThat(event.encapsulation().orElseThrow().describe())
							.startsWith("vxlan " + endpoint(overlay.leftNodeAddress()) + ":")
							.endsWith(" > " + endpoint(overlay.rightNodeAddress()) + ":4789 vni 1")));
			assertThat(trace).packets(udp().dst(overlay.rightNodeAddress()).dstPort(4789)).hasCount(2);
			System.out.println(PwruFormat.render(trace,
					trace.packets(udp().dst(overlay.rightPodAddress()).dstPort(7000)).subList(0, 1)));
		}
	}
	// }

	// overlayUnderlayDrop {
	@Test
	void an_underlay_rule_dropping_vxlan_is_named_for_the_pods_packets(PacketTrace trace) {
		// GIVEN the right node drops the overlay's UDP on its underlay
		overlay.execOnRightNode(firewall(), "-A", "INPUT", "-p", "udp", "--dport", "4789", "-j", "DROP");

		// WHEN the left pod sends two datagrams to the right pod
		Traffic.fromNetnsPath(overlay.leftPodPath()).udp().to(overlay.rightPodAddress(), 7000).send(2);

		// THEN the pod's packets, found by their own tuple, were dropped on the underlay by that rule
		assertThat(trace).packets(udp().dst(overlay.rightPodAddress()).dstPort(7000)).hasCount(2).wereDropped()
				.byRule("-p udp --dport 4789 -j DROP").inChain("filter", "INPUT");
		System.out.println(PwruFormat.render(trace,
				trace.packets(udp().dst(overlay.rightPodAddress()).dstPort(7000)).subList(0, 1)));
	}
	// }

	/** An underlay address as the outer headers show it before a port: an IPv6 one in brackets. */
	static String endpoint(String address) {
		return address.contains(":") ? "[" + address + "]" : address;
	}
}
