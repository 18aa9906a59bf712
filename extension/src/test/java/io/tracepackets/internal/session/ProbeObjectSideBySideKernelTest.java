package io.tracepackets.internal.session;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.Backend;
import io.tracepackets.DropReason;
import io.tracepackets.KernelTest;
import io.tracepackets.internal.window.TraceWindow;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The session's programs loaded side by side in sibling objects (the way a start with a free CPU
 * loads them) and in the one object (a busy machine's, or one CPU's) trace alike: the programs of
 * both halves write into the session's ring buffer, obey its namespace filter and read its global
 * data, and the drop is named.
 */
@KernelTest
class ProbeObjectSideBySideKernelTest {

	@AfterEach
	void decideAgain() {
		ProbeObject.sideBySide = null;
	}

	@ParameterizedTest(name = "side by side: {0}")
	@ValueSource(booleans = {true, false})
	void both_halves_of_the_tracepoint_programs_trace_a_dropped_datagram(boolean sideBySide) {
		// GIVEN a session whose tracepoint programs were loaded that way
		ProbeObject.sideBySide = sideBySide;
		try (TraceSession session = TraceSession.start(TracerOptions.defaults().withBackend(Backend.TRACEPOINT, null));
				VethNamespaces pair = VethNamespaces.create();
				TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(3))) {
			trace.scope(pair.leftPath()).scope(pair.rightPath());
			int port = sideBySide ? 9710 : 9711;

			// WHEN three datagrams go to a port nobody listens on
			assertThat(Traffic.fromNetnsPath(pair.leftPath()).udp().to(pair.rightAddress(), port).send(3)).isEqualTo(3);

			// THEN programs of the first half (kfree_skb, netif_receive_skb) and of the second
			// (net_dev_start_xmit) saw them, and the drop is named
			assertThat(trace).packets(udp().dstPort(port)).hasCount(3).wereDropped().withReason(DropReason.NO_SOCKET);
			assertThat(trace).packets(udp().dstPort(port)).reached("netif_receive_skb");
			assertThat(trace).packets(udp().dstPort(port)).reached("net_dev_start_xmit");
			assertThat(trace.events()).filteredOn(event -> event.destinationPort() == port && event.isDrop())
					.extracting(event -> event.locationFunction().orElse("?")).doesNotContain("?");
		}
	}
}
