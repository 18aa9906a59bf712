package io.tracepackets.internal.window;

import static io.tracepackets.PacketFilter.udp;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.KernelTest;
import io.tracepackets.PacketTrace;
import io.tracepackets.PerTestNetwork;
import io.tracepackets.TracePackets;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import io.tracepackets.traffic.UdpTraffic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test that reads the trace right after it sent must see what it sent: the kernel produced the
 * datagram's device-queue event before the send returned (veth transmits in the sender's context),
 * but the ring buffer's reader may not have woken yet. Read without any assertion or flush in
 * between, many times over, a snapshot that returned only what had arrived misses some.
 */
@KernelTest
@ExtendWith(PerTestNetwork.class)
@TracePackets
class CompleteSnapshotsKernelTest {

	private static final int ROUNDS = 40;

	@Test
	void each_snapshot_holds_the_datagram_sent_just_before_it(PacketTrace trace, VethNamespaces network) {
		// GIVEN the sending namespace in scope
		trace.scope(network.leftPath());
		UdpTraffic udp = Traffic.fromNetnsPath(network.leftPath()).udp();

		for (int round = 0; round < ROUNDS; round++) {
			// WHEN one datagram is sent to a port of this round
			int port = 9400 + round;
			assertThat(udp.to(network.rightAddress(), port).send(1)).isEqualTo(1);

			// THEN the very next snapshots hold its device-queue event, in events and in journeys
			assertThat(trace.events()).as("round %d: events right after the send", round)
					.anyMatch(event -> udp().dstPort(port).test(event) && event.where().equals("net_dev_queue"));
			assertThat(trace.journeys()).as("round %d: journeys right after the send", round)
					.anyMatch(udp().dstPort(port)::matches);
		}
	}
}
