package io.tracepackets.traffic;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracepackets.assertj.error.PacketsShould;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketTrace;
import io.tracepackets.PerTestNetwork;
import io.tracepackets.TracePackets;
import io.tracepackets.testing.VethNamespaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A send the kernel refused is named by the assertion that found its packets missing: a
 * namespace without a route to the destination refuses every datagram (ENETUNREACH), and
 * "found 0" alone would send the reader looking for a drop.
 */
@KernelTest
@ExtendWith(PerTestNetwork.class)
@TracePackets(awaitMillis = 500)
class SendShortfallsTest {

	private static final String UNROUTED = "10.10.20.99";

	@Test
	void an_assertion_that_found_too_few_packets_names_the_send_the_kernel_refused(PacketTrace trace, VethNamespaces network) {
		// GIVEN the left namespace in scope, which has no route to 10.10.20.99
		trace.scope(network.leftPath());

		// WHEN it sends three datagrams there
		int sent = Traffic.fromNetnsPath(network.leftPath()).udp().to(UNROUTED, 7600).send(3);

		// THEN none went out, and the assertion on them says which send failed and why
		assertThat(sent).isZero();
		assertThat(trace.sendsThatFellShort()).singleElement().extracting(PacketsShould::describe).asString()
				.startsWith("0 of 3 UDP datagrams sent to " + UNROUTED + ":7600 from ")
				.endsWith(": Network is unreachable");
		assertThatThrownBy(() -> assertThat(trace).packets(udp().dstPort(7600)).hasCount(3))
				.hasMessageContaining("Sends of this test that fell short")
				.hasMessageContaining("0 of 3 UDP datagrams sent to " + UNROUTED + ":7600");
	}

	@Test
	void a_tcp_connect_without_a_route_is_named_too(PacketTrace trace, VethNamespaces network) {
		// GIVEN
		trace.scope(network.leftPath());

		// WHEN
		ExchangeResult result = Traffic.fromNetnsPath(network.leftPath()).tcp().to(UNROUTED, 7602).connect();

		// THEN
		assertThat(result.outcome()).as("%s", result).isEqualTo(Outcome.UNREACHABLE);
		assertThat(trace.sendsThatFellShort()).singleElement().extracting(PacketsShould::describe).asString()
				.startsWith("no TCP connection to " + UNROUTED + ":7602 from ").contains("unreachable");
	}

	@Test
	void sends_that_went_out_are_not_named(PacketTrace trace, VethNamespaces network) {
		// GIVEN
		trace.scope(network.leftPath());

		// WHEN the left namespace sends to its peer
		int sent = Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 7601).send(2);

		// THEN
		assertThat(sent).isEqualTo(2);
		assertThat(trace.sendsThatFellShort()).isEmpty();
	}
}
