package io.tracepackets.samples;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.Journey;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketFilter;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.assertj.error.PwruFormat;
import io.tracepackets.samples.support.NetboxContainer;
import io.tracepackets.traffic.HttpResult;
import io.tracepackets.traffic.Traffic;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * HTTP to a container through its published port, as Testcontainers users send it. To the host's
 * own address (here the bridge's gateway), Docker's DNAT rule sends the request on to the
 * container: one journey per segment, from the host's output path into the container. Through
 * localhost, Docker's userland proxy accepts the connection instead and opens its own to the
 * container: the client's packets end at the proxy's socket, and the proxy's are other journeys.
 */
@KernelTest
@Testcontainers
@TracePackets
class PublishedPortJourneyTest {

	@Container
	NetboxContainer netbox = new NetboxContainer().withExposedPorts(NetboxContainer.HTTP_PORT);

	// publishedPort {
	@Test
	void a_request_to_a_published_port_is_followed_into_the_container(PacketTrace trace) throws IOException {
		// GIVEN the host's namespace in scope too (the container's is, as an @Container)
		trace.scopeHostNetwork();
		String hostAddress = netbox.getContainerInfo().getNetworkSettings().getGateway();
		int publishedPort = netbox.getMappedPort(NetboxContainer.HTTP_PORT);
		long containerNetns = netnsInode(trace, netbox);

		// WHEN the test sends HTTP to the host's address and the published port
		HttpResult response = Traffic.http().get("http://" + hostAddress + ":" + publishedPort + "/index.html");

		// THEN the request's segments, found by where they were sent from and to, were DNATed into
		// the container. From the host's address too: Docker takes published ports from the kernel's
		// ephemeral range, so the port may be one the host just used as a source port to another
		// container, whose late segments (a FIN that TIME_WAIT answers) come to it from that container.
		assertThat(response.status()).as("%s", response).isEqualTo(200);
		PacketFilter request = tcp().src(hostAddress).dst(hostAddress).dstPort(publishedPort);
		assertThat(trace).packets(request).wereDelivered();
		List<Journey> requests = trace.journeys().stream().filter(request::matches).toList();
		assertThat(requests).isNotEmpty().allSatisfy(journey -> {
			assertThat(journey.translations()).as(PwruFormat.render(trace, journey.paths()))
					.anyMatch(change -> change.toString().startsWith(hostAddress + ":" + publishedPort + " → "
							+ netbox.ipAddress() + ":" + NetboxContainer.HTTP_PORT));
			assertThat(journey.events()).as(PwruFormat.render(trace, journey.paths()))
					.anyMatch(event -> event.netns() == containerNetns && event.where().equals("netif_receive_skb"));
		});
		System.out.println(PwruFormat.render(trace, requests.getFirst().paths()));
	}
	// }

	@Test
	void through_localhost_the_userland_proxy_ends_the_journey_at_its_socket(PacketTrace trace) {
		// GIVEN
		trace.scopeHostNetwork();
		int publishedPort = netbox.getMappedPort(NetboxContainer.HTTP_PORT);

		// WHEN the test sends HTTP to localhost and the published port
		HttpResult response = Traffic.http().get("http://127.0.0.1:" + publishedPort + "/index.html");

		// THEN the client's packets were never translated: docker-proxy took them, and its own
		// connection to the container is separate journeys, which no client packet belongs to
		assertThat(response.status()).as("%s", response).isEqualTo(200);
		List<Journey> client = trace.journeys().stream()
				.filter(tcp().dst("127.0.0.1").dstPort(publishedPort)::matches).toList();
		List<Journey> proxy = trace.journeys().stream()
				.filter(tcp().dst(netbox.ipAddress()).dstPort(NetboxContainer.HTTP_PORT)::matches).toList();
		assertThat(client).isNotEmpty().allSatisfy(journey -> assertThat(journey.translations()).isEmpty());
		assertThat(proxy).isNotEmpty().doesNotContainAnyElementsOf(client);
	}

	/**
	 * The container's network namespace inode, as events carry it: the trace's own (the pid Docker
	 * reports is the engine's, which means nothing where the tests run in a pid namespace of their own).
	 */
	private static long netnsInode(PacketTrace trace, NetboxContainer container) {
		String shortId = container.getContainerId().substring(0, 12);
		return trace.namespaces().stream().filter(netns -> netns.label().contains(shortId)).findFirst()
				.orElseThrow(() -> new AssertionError(container.getContainerName() + " is not in " + trace.namespaces()))
				.inode();
	}
}
