package io.tracepackets.samples;

import static io.tracepackets.DropReason.NETFILTER_DROP;
import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.KernelTest;
import io.tracepackets.samples.support.NetboxContainer;
import io.tracepackets.samples.support.NetboxContainer.IptablesVariant;
import io.tracepackets.traffic.HttpResult;
import io.tracepackets.traffic.Traffic;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/** HTTP into a container, and traffic the container itself sends, blocked on its way out. */
@KernelTest
@Testcontainers
@TracePackets
class ContainerTrafficTest {

	@Container
	NetboxContainer netbox = new NetboxContainer();

	@Test
	void an_http_request_reaches_the_server_and_its_answer_leaves(PacketTrace trace) {
		// WHEN
		HttpResult response = Traffic.http().get("http://" + netbox.ipAddress() + ":8080/index.html");

		// THEN every segment to the server was delivered, and its answers sent out. (The client's FIN
		// can arrive after the server closed: the kernel purges it with the socket, QUEUE_PURGE, which
		// is a discard after delivery, not a drop.)
		assertThat(response.status()).as("%s", response).isEqualTo(200);
		assertThat(trace).packets(tcp().dstPort(8080)).wereDelivered();
		assertThat(trace).packets(tcp().srcPort(8080)).reached("net_dev_start_xmit").wereNotDropped();
	}

	// outputDrop {
	@Test
	void an_output_rule_drops_what_the_container_itself_sends(PacketTrace trace) {
		// GIVEN the container may not send UDP to 9999
		netbox.iptables(IptablesVariant.LEGACY, "-A", "OUTPUT", "-p", "udp", "--dport", "9999", "-j", "DROP");

		// WHEN a socket inside the container's namespace sends there
		Traffic.from(netbox).udp().to("172.17.0.1", 9999).send(2);

		// THEN the kernel dropped both on their way out, before any device saw them
		assertThat(trace).packets(udp().dstPort(9999))
				.hasCount(2)
				.wereDropped().in("nf_hook_slow").withReason(NETFILTER_DROP);
		assertThat(trace).packets(udp().dstPort(9999)).neverReached("net_dev_queue");
	}
	// }
}
