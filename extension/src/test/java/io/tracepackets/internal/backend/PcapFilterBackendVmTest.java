package io.tracepackets.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.Backend;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketEvent;
import io.tracepackets.ProbeKind;
import io.tracepackets.internal.session.TraceSession;
import io.tracepackets.internal.session.TracerOptions;
import io.tracepackets.internal.window.TraceWindow;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The pcap filter on the function backends: their programs run the same filter as the
 * tracepoints (kprobe: every field read with bpf_probe_read_kernel; fentry: the patched template
 * cloned per function). Only the datagrams the filter matches reach the trace, at kernel functions
 * as at tracepoints.
 */
@KernelTest
@Tag("kernel-vm")
class PcapFilterBackendVmTest {

	private static final String FUNCTIONS = "^(ip_output|ip_rcv|udp_rcv)$";

	@ParameterizedTest
	@EnumSource(value = Backend.class, names = { "KPROBE", "FENTRY", "KPROBE_MULTI" })
	void only_matching_packets_are_traced_at_kernel_functions(Backend backend) {
		List<PacketEvent> events = traced(backend, "udp dst port 9416");
		assertThat(events).filteredOn(e -> e.kind() == ProbeKind.FUNCTION).extracting(PacketEvent::where)
				.contains("ip_output", "ip_rcv", "udp_rcv");
		assertThat(events).isNotEmpty().allMatch(e -> e.l4Protocol() == PacketEvent.UDP
				&& e.destinationPort() == 9416, "UDP to 9416");
	}

	/** The same probes without a filter (the placeholder left in, its call removed by the verifier). */
	@ParameterizedTest
	@EnumSource(value = Backend.class, names = { "KPROBE", "FENTRY", "KPROBE_MULTI" })
	void without_a_filter_every_packet_is_traced(Backend backend) {
		List<PacketEvent> events = traced(backend, null);
		for (int port : new int[] { 9416, 9417 }) {
			assertThat(events).filteredOn(e -> e.kind() == ProbeKind.FUNCTION && e.destinationPort() == port)
					.extracting(PacketEvent::where).contains("ip_output", "ip_rcv", "udp_rcv");
		}
	}

	private static List<PacketEvent> traced(Backend backend, String filter) {
		if (backend == Backend.KPROBE_MULTI) {
			Assumptions.assumeTrue(BackendDetectionVmTest.kprobeMultiRefusal().isEmpty(),
					"kprobe-multi is refused on this kernel (BackendDetectionVmTest checks why)");
		}
		TracerOptions options = TracerOptions.defaults().withBackend(backend, TracerOptions.functionPattern(FUNCTIONS))
				.withPcapFilter(filter);
		try (VethNamespaces veth = VethNamespaces.create();
				TraceSession session = TraceSession.start(options);
				TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(10))) {
			trace.scope(veth.leftPath());
			trace.scope(veth.rightPath());
			for (int port : new int[] { 9416, 9417, 9416, 9417, 9416 }) {
				assertThat(Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), port).send(1))
						.isEqualTo(1);
			}
			trace.flush();
			List<PacketEvent> events = trace.events();
			System.out.println("backend=" + backend + " filter=" + filter + ": " + events.size() + " events");
			return events;
		}
	}
}
