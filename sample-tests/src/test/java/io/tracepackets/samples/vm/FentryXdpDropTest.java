package io.tracepackets.samples.vm;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.Backend;
import io.tracepackets.DropCulprit;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A native XDP program's drops, seen by a probe on the program itself (fexit, BPF trampolines):
 * bpf/samples/xdp_drop_9100.bpf.c on the receiving veth's driver hook drops UDP 9100 before any
 * skb exists. Runs in the kernel VM (tag {@value VethFunctionPathTest#TAG}), since this host's
 * kernel refuses trampolines.
 */
@KernelTest
@Tag(VethFunctionPathTest.TAG)
@TracePackets(backend = Backend.FENTRY, functions = VethFunctionPathTest.FUNCTIONS)
class FentryXdpDropTest {

	VethNamespaces network;

	@BeforeEach
	void network() {
		network = VethNamespaces.create();
	}

	@AfterEach
	void removeNetwork() {
		network.close();
	}

	// xdpNativeDrop {
	@Test
	void a_native_xdp_program_that_drops_udp_9100_is_seen_dropping_them(PacketTrace trace) throws URISyntaxException {
		// GIVEN the XDP program on the right namespace's veth, in native mode, then that namespace in scope
		Path program = Path.of(getClass().getResource("/bpf/xdp_drop_9100.bpf.o").toURI());
		network.execInRight("ip", "link", "set", "dev", network.rightInterface(), "xdp", "obj", program.toString(),
				"sec", "xdp");
		trace.scope(network.rightPath());

		// WHEN the left namespace sends to 9100 and 9101
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 9100).send(2);
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 9101).send(2);

		// THEN the program was seen returning XDP_DROP for those to 9100; those to 9101 passed it
		assertThat(trace).packets(udp().dstPort(9100))
				.hasCount(2)
				.wereDroppedByXdp()
				.byProgram("xdp_drop_9100");
		assertThat(trace).packets(udp().dstPort(9101)).hasCount(2).reached("ip_local_deliver");
		assertThat(trace.packets(udp().dstPort(9100))).allSatisfy(path -> assertThat(path.culprit().orElseThrow())
				.isInstanceOfSatisfying(DropCulprit.BpfProgram.class, culprit -> {
					assertThat(culprit.device()).isEqualTo(network.rightInterface());
					assertThat(culprit.hook()).isEqualTo("xdp");
					assertThat(culprit.evidence()).isEqualTo(DropCulprit.BpfProgram.SEEN_RETURNING_DROP);
				}));
		System.out.println(trace.render(trace.packets(udp().dstPort(9100))));
	}
	// }
}
