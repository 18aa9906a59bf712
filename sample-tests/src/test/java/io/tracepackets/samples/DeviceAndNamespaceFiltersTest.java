package io.tracepackets.samples;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;

import io.tracepackets.KernelTest;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.samples.support.NetboxContainer;
import io.tracepackets.traffic.Traffic;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Packets by where they were seen: {@code netns(container)} keeps the events of one container's
 * namespace, {@code dev("eth0")} those of one interface, as pwru's {@code --filter-netns} and
 * {@code --filter-ifname} do. Every container has an {@code eth0}: the namespace says whose.
 */
@KernelTest
@Testcontainers
@TracePackets
class DeviceAndNamespaceFiltersTest {

	@Container
	NetboxContainer client = new NetboxContainer();

	@Container
	NetboxContainer server = new NetboxContainer();

	// deviceAndNamespaceFilters {
	@Test
	void the_server_tells_the_clients_datagrams_from_the_hosts_by_where_they_were_seen(PacketTrace trace) {
		// WHEN the client container sends 3 datagrams to the server's UDP 9000, and this JVM, on the
		// host, sends 2 (the host's namespace is not traced: its datagrams show from the server's eth0)
		Traffic.from(client).udp().to(server.ipAddress(), 9000).send(3);
		Traffic.udp().to(server.ipAddress(), 9000).send(2);

		// THEN all five reached the server's eth0, and three were seen in the client's namespace
		assertThat(trace).packets(udp().dstPort(9000).netns(server).dev("eth0")).hasCount(5);
		assertThat(trace).packets(udp().dstPort(9000).netns(client)).hasCount(3);
		assertThat(trace).packets(udp().dstPort(9000).netns(client).dev("eth0")).hasCount(3);
		assertThat(trace).packets(udp().dstPort(9000).netns(client).dev("lo")).areNone();
	}
	// }
}
