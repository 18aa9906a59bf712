package io.tracepackets.internal.session;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.Backend;
import io.tracepackets.DropReason;
import io.tracepackets.KernelTest;
import io.tracepackets.internal.netns.NetnsRunner;
import io.tracepackets.internal.netns.NetworkNamespace;
import io.tracepackets.internal.window.TraceWindow;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledIf;
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

	@ParameterizedTest(name = "side by side: {0}")
	@ValueSource(booleans = {true, false})
	@EnabledIf("io.tracepackets.internal.session.TraceSessionKernelTest#kernelHasSocketHook")
	void the_socket_hook_sees_a_datagram_delivered_whichever_way_the_probes_were_loaded(boolean sideBySide)
			throws Exception {
		// GIVEN a session loaded that way, and a UDP socket bound in the traced namespace; where the
		// probes are the guarded build (6.14+), the hook is one of their programs, else its own object
		ProbeObject.sideBySide = sideBySide;
		int port = sideBySide ? 9712 : 9713;
		try (TraceSession session = TraceSession.start(TracerOptions.defaults().withBackend(Backend.TRACEPOINT, null));
				VethNamespaces pair = VethNamespaces.create();
				TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(3));
				DatagramChannel receiver = NetnsRunner.call(NetworkNamespace.ofPath(pair.rightPath()),
						() -> DatagramChannel.open().bind(new InetSocketAddress(pair.rightAddress(), port)))) {
			trace.scope(pair.rightPath());

			// WHEN two datagrams go to it
			assertThat(Traffic.fromNetnsPath(pair.leftPath()).udp().to(pair.rightAddress(), port).send(2)).isEqualTo(2);

			// THEN the hook saw the socket accept them
			assertThat(trace).packets(udp().dstPort(port)).hasCount(2).wereDelivered().reached("socket_receive");
		}
	}
}
