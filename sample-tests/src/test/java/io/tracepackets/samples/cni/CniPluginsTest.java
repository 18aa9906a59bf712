package io.tracepackets.samples.cni;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.KernelTest;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.assertj.error.PwruFormat;
import io.tracepackets.testing.CniNetwork;
import io.tracepackets.testing.CniNetwork.Pod;
import io.tracepackets.traffic.Traffic;
import io.tracepackets.traffic.UdpReceiver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression checks of what real CNI plugins set up, the reference plugins a runtime calls
 * (Debian's containernetworking-plugins): bridge and host-local wire two pods to a node, portmap
 * publishes a pod's port on the node, firewall lets pods' traffic through the node's FORWARD chain
 * and leaves CNI-ADMIN to the operator, bandwidth shapes what a pod receives with a tbf qdisc.
 */
@KernelTest
@TracePackets
@SuppressWarnings("try") // a receiver is a resource whose only job is to be open while the test sends
class CniPluginsTest {

	/** One /24 per network, so that networks of one JVM never share addresses. */
	private static final AtomicInteger SUBNETS = new AtomicInteger();

	// cniConflist {
	static String conflist(int subnet) {
		return """
				{
				  "cniVersion": "1.0.0",
				  "name": "tracepackets-pods",
				  "plugins": [
				    { "type": "bridge", "bridge": "cni0", "isGateway": true,
				      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "10.89.%d.0/24" }]],
				                "routes": [{ "dst": "0.0.0.0/0" }] } },
				    { "type": "portmap", "capabilities": { "portMappings": true }, "snat": true },
				    { "type": "firewall", "backend": "iptables" },
				    { "type": "bandwidth", "capabilities": { "bandwidth": true } }
				  ]
				}
				""".formatted(subnet);
	}
	// }

	CniNetwork network;
	Pod client;
	Pod server;

	@BeforeEach
	void twoPods(PacketTrace trace) {
		network = CniNetwork.create(conflist(SUBNETS.getAndIncrement() % 250));
		client = network.addPod("client");
		server = network.addPod("server", Map.of(
				"portMappings", List.of(Map.of("hostPort", 8080, "containerPort", 80, "protocol", "udp")),
				"bandwidth", Map.of("ingressRate", 1_000_000, "ingressBurst", 4_000)));
		trace.scope(network.nodePath()).scope(client.path()).scope(server.path());
	}

	@AfterEach
	void deleteNetwork() {
		if (network != null) {
			network.close();
		}
	}

	// cniBridge {
	@Test
	void bridge_and_host_local_deliver_pod_to_pod(PacketTrace trace) {
		try (UdpReceiver receiver = Traffic.fromNetnsPath(server.path()).receiveUdp(7000)) {
			// WHEN the client pod sends three datagrams to the server pod's address
			Traffic.fromNetnsPath(client.path()).udp().to(server.address(), 7000).send(3);

			// THEN each crossed the node's bridge into the server pod, one journey each
			assertThat(trace).packets(udp().dst(server.address()).dstPort(7000)).hasCount(3).wereNotDropped()
					.wereDelivered();
			assertThat(trace).journeys(udp().dst(server.address()).dstPort(7000)).hasCount(3);
		}
	}
	// }

	// cniPortmap {
	@Test
	void portmap_takes_a_node_port_into_the_pod_as_one_journey(PacketTrace trace) {
		String node = client.gateway().orElseThrow();
		try (UdpReceiver receiver = Traffic.fromNetnsPath(server.path()).receiveUdp(80)) {
			// WHEN the client pod sends to the node's port 8080, which portmap publishes as the server's 80
			Traffic.fromNetnsPath(client.path()).udp().to(node, 8080).send(1);

			// THEN the datagram, found by the address it was sent to, was translated and delivered
			assertThat(trace).journeys(udp().dst(node).dstPort(8080)).theOnlyJourney()
					.wasTranslatedTo(server.address(), 80)
					.reached("netif_receive_skb");
			assertThat(trace).packets(udp().dst(node).dstPort(8080)).hasCount(1).wereDelivered();
			System.out.println(PwruFormat.render(trace, trace.packets(udp().dst(node).dstPort(8080))));
		}
	}
	// }

	// cniFirewall {
	@Test
	void an_operators_isolation_rule_in_cni_admin_drops_and_is_named(PacketTrace trace) {
		// GIVEN the operator's rule in the chain the firewall plugin leaves to them
		network.execOnNode("iptables", "-A", "CNI-ADMIN", "-s", client.address(), "-d", server.address(), "-p", "udp",
				"--dport", "7001", "-j", "DROP");
		try (UdpReceiver receiver = Traffic.fromNetnsPath(server.path()).receiveUdp(7000)) {
			// WHEN the client sends to both ports
			Traffic.fromNetnsPath(client.path()).udp().to(server.address(), 7001).send(2);
			Traffic.fromNetnsPath(client.path()).udp().to(server.address(), 7000).send(2);

			// THEN 7001 died in the node's FORWARD chain by that rule; 7000 was let through by the plugin's own
			assertThat(trace).packets(udp().dstPort(7001)).hasCount(2).wereDropped()
					.byRule("-s " + client.address() + " -d " + server.address() + " -p udp --dport 7001 -j DROP")
					.inChain("filter", "CNI-ADMIN");
			assertThat(trace).packets(udp().dstPort(7000)).hasCount(2).wereNotDropped().wereDelivered();
			System.out.println(PwruFormat.render(trace, trace.packets(udp().dstPort(7001)).subList(0, 1)));
		}
	}
	// }

	// cniBandwidth {
	@Test
	void bandwidth_drops_what_exceeds_the_pods_ingress_rate_in_its_qdisc(PacketTrace trace) {
		// GIVEN the server's ingress shaped to 1 Mbit/s with a 4 kB burst (a tbf qdisc on its node-side veth)
		assertThat(network.execOnNode("tc", "qdisc", "show")).contains("tbf");
		try (UdpReceiver receiver = Traffic.fromNetnsPath(server.path()).receiveUdp(7002)) {
			// WHEN the client sends 60 datagrams of 1,200 bytes at once (72 kB: far over the burst)
			Traffic.fromNetnsPath(client.path()).udp().to(server.address(), 7002).payload(new byte[1_200]).send(60);

			// THEN the qdisc dropped those over the rate, and named it: a qdisc's drop
			assertThat(trace).packets(udp().dstPort(7002)).hasCount(60);
			assertThat(trace.packets(udp().dstPort(7002))).filteredOn(path -> path.drop().isPresent())
					.isNotEmpty()
					.allSatisfy(path -> assertThat(path.drop().orElseThrow().dropReason().name()).startsWith("QDISC"));
			System.out.println(PwruFormat.render(trace, trace.packets(udp().dstPort(7002)).stream()
					.filter(path -> path.drop().isPresent()).limit(1).toList()));
		}
	}
	// }
}
