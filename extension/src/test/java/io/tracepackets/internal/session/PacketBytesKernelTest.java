package io.tracepackets.internal.session;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.tracepackets.KernelTest;
import io.tracepackets.PacketBytes;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketFilter;
import io.tracepackets.TracePacketsException;
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
	void should_match_pcap_expressions_in_assertions_on_the_captured_bytes() {
		try (TraceSession session = TraceSession.start(TracerOptions.defaults().withSnapLength(128));
				VethNamespaces veth = VethNamespaces.create();
				TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(3))) {
			trace.scope(veth.leftPath()).scope(veth.rightPath());
			// WHEN 3 datagrams go to 7410, 2 to 7411, one of them carrying 200 bytes
			Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), 7410).send(3);
			Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), 7411).send(1);
			Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), 7411).payload(new byte[200]).send(1);
			// THEN libpcap's expressions select them as tcpdump would, byte offsets included
			assertThat(trace).packets(PacketFilter.pcap("udp dst port 7410 and dst host " + veth.rightAddress()))
					.hasCount(3);
			assertThat(trace).packets(PacketFilter.pcap("udp dst port 7411")).hasCount(2);
			assertThat(trace).packets(PacketFilter.pcap("udp dst port 7411 and ip[2:2] > 200")).hasCount(1);
			assertThat(trace).packets(PacketFilter.pcap("tcp or udp dst port 7412")).areNone();
			assertThat(PacketFilter.pcap("udp dst port 7410").and(e -> e.destinationPort() == 7410, "7410"))
					.hasToString("pcap \"udp dst port 7410\" on captured bytes and 7410");
		}
	}

	@Test
	void should_refuse_a_pcap_expression_libpcap_does_not_compile_with_its_message() {
		assertThatExceptionOfType(TracePacketsException.class).isThrownBy(() -> PacketFilter.pcap("udp dst prot 53"))
				.withMessageContaining("pcap filter \"udp dst prot 53\" does not compile")
				.withMessageContaining("prot");
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
