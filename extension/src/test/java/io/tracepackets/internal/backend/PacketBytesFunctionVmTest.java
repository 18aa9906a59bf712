package io.tracepackets.internal.backend;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.Backend;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketBytes;
import io.tracepackets.PacketEvent;
import io.tracepackets.ProbeKind;
import io.tracepackets.internal.session.TraceSession;
import io.tracepackets.internal.session.TracerOptions;
import io.tracepackets.internal.window.TraceWindow;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Packet bytes from kernel-function probes, whose skb is read through bpf_probe_read_kernel (kprobe,
 * kprobe-multi) or a cloned template (fentry): ip_output sees a packet before its Ethernet header
 * is pushed (bytes from the IP header), ip_rcv one received on the veth (from the Ethernet header).
 * AUTO is the best backend of the kernel (fentry on 6.1, kprobe-multi on 6.12); kprobe is on both.
 */
@KernelTest
@Tag("kernel-vm")
class PacketBytesFunctionVmTest {

	@ParameterizedTest
	@EnumSource(value = Backend.class, names = { "AUTO", "KPROBE" })
	void function_probes_carry_the_packet_from_the_layer_the_skb_is_at(Backend backend) {
		TracerOptions options = TracerOptions.defaults()
				.withBackend(backend, TracerOptions.functionPattern("^(ip_rcv|ip_output)$")).withSnapLength(64);
		try (VethNamespaces veth = VethNamespaces.create(); TraceSession session = TraceSession.start(options);
				TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(10))) {
			trace.scope(veth.leftPath()).scope(veth.rightPath());
			Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), 7700).send(3);
			assertThat(trace).packets(udp().dstPort(7700)).hasCount(3).reached("ip_output").reached("ip_rcv");

			List<PacketEvent> functions = trace.events().stream()
					.filter(e -> e.kind() == ProbeKind.FUNCTION && e.destinationPort() == 7700).toList();
			System.out.println(session.backend().chosen() + ": " + functions.stream()
					.map(e -> e.where() + " " + e.packetBytes().map(Object::toString).orElse("no bytes")).toList());
			assertThat(functions).filteredOn(e -> e.where().equals("ip_output")).hasSize(3).allSatisfy(e -> {
				PacketBytes ip = e.packetBytes().orElseThrow();
				assertThat(ip.layer()).isEqualTo(PacketBytes.Layer.IP);
				assertThat(ip.byteAt(0) >> 4).as("IP version").isEqualTo(4);
				assertThat(ip.byteAt(22) << 8 | ip.byteAt(23)).as("UDP destination port").isEqualTo(7700);
			});
			assertThat(functions).filteredOn(e -> e.where().equals("ip_rcv")).hasSize(3).allSatisfy(e -> {
				PacketBytes frame = e.packetBytes().orElseThrow();
				assertThat(frame.layer()).isEqualTo(PacketBytes.Layer.ETHERNET);
				assertThat(frame.byteAt(12) << 8 | frame.byteAt(13)).as("ethertype").isEqualTo(0x0800);
				assertThat(frame.byteAt(36) << 8 | frame.byteAt(37)).as("UDP destination port").isEqualTo(7700);
			});
		}
	}
}
