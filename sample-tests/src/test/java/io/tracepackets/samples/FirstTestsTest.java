package io.tracepackets.samples;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.KernelTest;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.samples.support.NetboxContainer;
import io.tracepackets.traffic.HttpResult;
import io.tracepackets.traffic.Traffic;
import io.tracepackets.traffic.ExchangeResult;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The tests a new user writes first: a normal exchange with a container, nothing wrong, every
 * segment asserted without flag filters. Connections end with FINs that the kernel may free
 * with a reason after the socket took them (QUEUE_PURGE, TCP_CLOSE…): those are discarded after
 * delivery, not dropped, so these pass for the right reason. Both ends are in scope (the host's
 * namespace and the container's), so "delivered" is checked both ways.
 */
@KernelTest
@Testcontainers
@TracePackets(hostNetwork = true)
class FirstTestsTest {

	@Container
	NetboxContainer netbox = new NetboxContainer();

	// firstTest {
	@Test
	void an_http_exchange_with_a_container_loses_nothing(PacketTrace trace) {
		// WHEN
		HttpResult response = Traffic.http().get("http://" + netbox.ipAddress() + ":8080/index.html");

		// THEN the request and the answer were delivered, and nothing of the connection was lost
		assertThat(response.status()).as("%s", response).isEqualTo(200);
		assertThat(trace).packets(tcp().dstPort(8080)).wereNotDropped().wereDelivered();
		assertThat(trace).packets(tcp().srcPort(8080)).wereNotDropped().wereDelivered();
	}
	// }

	@Test
	void a_tcp_echo_exchange_with_a_container_loses_nothing(PacketTrace trace) {
		// WHEN
		ExchangeResult echo = Traffic.tcp().to(netbox.ipAddress(), NetboxContainer.TCP_ECHO_PORT)
				.connectAndSend("hello, kernel");

		// THEN
		assertThat(echo.receivedText()).as("%s", echo).isEqualTo("hello, kernel");
		assertThat(trace).packets(tcp().port(NetboxContainer.TCP_ECHO_PORT)).wereNotDropped().wereDelivered();
	}

	@Test
	void a_udp_request_and_its_response_are_delivered(PacketTrace trace) {
		// WHEN
		ExchangeResult reply = Traffic.udp().to(netbox.ipAddress(), NetboxContainer.UDP_ECHO_PORT).payload("ping")
				.request();

		// THEN
		assertThat(reply.receivedText()).as("%s", reply).isEqualTo("ping");
		assertThat(trace).packets(udp().port(NetboxContainer.UDP_ECHO_PORT)).hasCount(2).wereNotDropped()
				.wereDelivered();
	}
}
