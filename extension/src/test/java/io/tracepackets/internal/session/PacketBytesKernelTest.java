package io.tracepackets.internal.session;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.KernelTest;
import io.tracepackets.PacketBytes;
import io.tracepackets.PacketEvent;
import io.tracepackets.internal.window.TraceWindow;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The probes copy the packet's first bytes only when asked, from the layer the skb is at. */
@KernelTest
class PacketBytesKernelTest {

	@Test
	void should_capture_ethernet_frames_on_the_veth_and_ip_packets_before_their_link_header() throws Exception {
		try (TraceSession session = TraceSession.start(TracerOptions.defaults().withSnapLength(64));
				VethNamespaces veth = VethNamespaces.create();
				TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(3))) {
			trace.scope(veth.leftPath()).scope(veth.rightPath());
			// WHEN the left namespace sends 3 datagrams of 100 bytes to the right one
			Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), 7400).payload(new byte[100]).send(3);
			assertThat(trace).packets(udp().dstPort(7400)).hasCount(3);
			List<PacketEvent> events = trace.events().stream().filter(e -> e.destinationPort() == 7400).toList();
			// THEN every event carries at most 64 bytes, and the receive side starts at the Ethernet header
			assertThat(events).allSatisfy(e -> assertThat(e.packetBytes()).hasValueSatisfying(bytes -> {
				assertThat(bytes.capturedLength()).isLessThanOrEqualTo(64).isPositive();
				assertThat(bytes.originalLength()).isGreaterThanOrEqualTo(bytes.capturedLength());
			}));
			PacketEvent received = events.stream().filter(e -> e.where().equals("netif_receive_skb")).findFirst()
					.orElseThrow();
			PacketBytes frame = received.packetBytes().orElseThrow();
			assertThat(frame.layer()).isEqualTo(PacketBytes.Layer.ETHERNET);
			assertThat(frame.capturedLength()).isEqualTo(64);
			assertThat(frame.originalLength()).isEqualTo(14 + 20 + 8 + 100);
			assertThat(frame.byteAt(12) << 8 | frame.byteAt(13)).as("ethertype").isEqualTo(0x0800);
			assertThat(frame.byteAt(14 + 9)).as("IP protocol").isEqualTo(17);
			byte[] destination = java.util.Arrays.copyOfRange(frame.toByteArray(), 14 + 16, 14 + 20);
			assertThat(InetAddress.getByAddress(destination).getHostAddress()).isEqualTo(veth.rightAddress());
			assertThat(frame.byteAt(14 + 20 + 2) << 8 | frame.byteAt(14 + 20 + 3)).as("UDP port").isEqualTo(7400);
			// a fresh array each time: the event cannot be changed through it
			frame.toByteArray()[0] = 42;
			assertThat(received.packetBytes().orElseThrow()).isEqualTo(frame);
			System.out.println(events.stream().map(e -> e.where() + " " + e.packetBytes().orElseThrow()).toList());
		}
	}

	@Test
	void should_carry_no_bytes_by_default() {
		try (TraceSession session = TraceSession.start(TracerOptions.defaults());
				VethNamespaces veth = VethNamespaces.create();
				TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(3))) {
			trace.scope(veth.rightPath());
			Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), 7401).send(2);
			assertThat(trace).packets(udp().dstPort(7401)).hasCount(2);
			assertThat(trace.events()).isNotEmpty().allSatisfy(e -> assertThat(e.packetBytes()).isEmpty());
		}
	}
}
