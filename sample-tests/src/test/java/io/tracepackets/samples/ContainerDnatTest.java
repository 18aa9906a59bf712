package io.tracepackets.samples;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.KernelTest;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.samples.support.NetboxContainer;
import io.tracepackets.samples.support.NetboxContainer.IptablesVariant;
import io.tracepackets.traffic.Traffic;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * A port forward inside the container, as a service's own firewall sets it: datagrams the test
 * sends to UDP 9100 are DNATed to the receiver on 9000, and found by the port they were sent to.
 * It needs nothing of the engine's own NAT, so it runs the same with Docker-in-Docker (an engine
 * without iptables), whose published ports are not translated.
 */
@KernelTest
@Testcontainers
@TracePackets
class ContainerDnatTest {

	private static final int FORWARDED_PORT = 9100;

	@Container
	NetboxContainer netbox = new NetboxContainer();

	@Test
	void datagrams_to_a_forwarded_port_are_taken_in_and_reach_the_forwarded_receiver(PacketTrace trace) {
		// GIVEN a DNAT rule in the container from UDP 9100 to the receiver on 9000
		netbox.iptables(IptablesVariant.NFT, "-t", "nat", "-A", "PREROUTING", "-p", "udp", "--dport",
				Integer.toString(FORWARDED_PORT), "-j", "DNAT", "--to-destination",
				netbox.ipAddress() + ":" + NetboxContainer.UDP_PORT);

		// WHEN the test sends three datagrams to 9100
		Traffic.udp().to(netbox.ipAddress(), FORWARDED_PORT).send(3);

		// THEN the kernel took in each, one journey apiece, found by the port it was sent to, dropped
		// none, and the receiver on 9000 got them: the rule rewrote them. (With tracepoints only, the
		// rewrite itself is not seen on local delivery: no tracepoint follows PREROUTING before the
		// socket; a function backend shows it at ip_local_deliver.)
		assertThat(trace).packets(udp().dstPort(FORWARDED_PORT)).hasCount(3).reached("netif_receive_skb")
				.wereNotDropped();
		assertThat(trace).journeys(udp().dstPort(FORWARDED_PORT)).hasCount(3);
		assertThat(netbox.udpReceived(NetboxContainer.UDP_PORT)).contains("tracepackets");
	}
}
