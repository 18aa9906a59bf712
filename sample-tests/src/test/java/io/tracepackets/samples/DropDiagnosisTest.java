package io.tracepackets.samples;

import static io.tracepackets.DropReason.IP_RPFILTER;
import static io.tracepackets.DropReason.NO_SOCKET;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.KernelTest;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.samples.support.VethNamespacesPerTest;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Drops that no rule made, explained in words: the kernel's reason becomes a sentence with the
 * packet's own values ({@code path.diagnosis()}), the one a failure message shows under the drop.
 */
@KernelTest
@TracePackets
@ExtendWith(VethNamespacesPerTest.class)
class DropDiagnosisTest {

	VethNamespaces network;

	// noSocketDiagnosis {
	@Test
	void a_datagram_to_a_port_nobody_listens_on_is_dropped_for_no_socket(PacketTrace trace) {
		// GIVEN nothing listens on UDP 9999 in the right namespace
		trace.scope(network.rightPath());

		// WHEN the left namespace sends there
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 9999).send(2);

		// THEN the kernel dropped both, and says so in words
		assertThat(trace).packets(udp().dstPort(9999)).hasCount(2).wereDropped().withReason(NO_SOCKET);
		assertThat(trace.packets(udp().dstPort(9999))).allSatisfy(path -> assertThat(path.diagnosis())
				.contains("nothing listens on " + network.rightAddress()
						+ " udp/9999 (or the socket is in another network namespace)"));
	}
	// }

	@Test
	void a_datagram_from_a_source_routed_elsewhere_is_dropped_by_the_reverse_path_filter(PacketTrace trace) {
		// GIVEN the right namespace filters strictly by reverse path and has no route back to 192.0.2.1,
		// and the left namespace sends to it from 192.0.2.1 (its neighbour entry is static: the
		// filter would refuse the ARP exchange as well)
		trace.scope(network.rightPath());
		network.execInRight("sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=1",
				"net.ipv4.conf." + network.rightInterface() + ".rp_filter=1");
		String rightMac = network.execInRight("cat", "/sys/class/net/" + network.rightInterface() + "/address").strip();
		network.execInLeft("ip", "addr", "add", "192.0.2.1/32", "dev", "lo");
		network.execInLeft("ip", "neigh", "replace", network.rightAddress(), "lladdr", rightMac, "dev",
				network.leftInterface());
		network.execInLeft("ip", "route", "replace", network.rightAddress() + "/32", "dev", network.leftInterface(),
				"src", "192.0.2.1");

		// WHEN
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 7000).send(2);

		// THEN
		assertThat(trace).packets(udp().dstPort(7000)).hasCount(2).wereDropped().withReason(IP_RPFILTER);
		assertThat(trace.packets(udp().dstPort(7000))).allSatisfy(path -> assertThat(path.diagnosis())
				.contains("reverse-path filter: the source 192.0.2.1 is routed out of another interface"
						+ " (check rp_filter and routes)"));
	}
}
