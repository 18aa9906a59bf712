package io.tracepackets.samples.spring;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.assertj.error.PwruFormat;
import io.tracepackets.testing.NetboxContainer;
import io.tracepackets.traffic.HttpResult;
import io.tracepackets.traffic.Traffic;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * What an application's request to a container's mapped port on localhost looks like inside the
 * container: Docker's userland proxy ({@code docker-proxy}) accepted the connection on the host
 * and opened its own from the bridge's gateway, so the container's packets come from
 * {@code 172.17.0.1}, not from the application's address. {@code @TracePackets} comes before
 * {@code @SpringBootTest} here, after it in the other samples: the order does not matter.
 */
@TracePackets
@SpringBootTest
class MappedPortTest {

	@TestConfiguration(proxyBeanMethods = false)
	static class Containers {

		@Bean
		NetboxContainer web() {
			return new NetboxContainer().withExposedPorts(NetboxContainer.HTTP_PORT);
		}
	}

	@Autowired
	NetboxContainer web;

	@Test
	void a_request_to_a_mapped_port_on_localhost_reaches_the_container_from_the_bridge_gateway(PacketTrace trace) {
		// WHEN the test (as the application would) asks localhost's mapped port
		HttpResult response = Traffic.http()
				.get("http://localhost:" + web.getMappedPort(NetboxContainer.HTTP_PORT) + "/index.html");

		// THEN the container saw a connection from the bridge's gateway: the proxy's, delivered
		String gateway = web.getContainerInfo().getNetworkSettings().getNetworks().get("bridge").getGateway();
		assertThat(response.status()).as("%s", response).isEqualTo(200);
		assertThat(trace).packets(tcp().dstPort(NetboxContainer.HTTP_PORT).src(gateway)).wereNotDropped()
				.wereDelivered();
		System.out.println(PwruFormat.render(trace, trace.packets(tcp().dstPort(NetboxContainer.HTTP_PORT))));
	}
}
