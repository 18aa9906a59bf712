package io.tracepackets.samples.vm;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.Backend;
import io.tracepackets.DropCulprit;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.assertj.error.PwruFormat;
import io.tracepackets.samples.support.VethNamespacesPerTest;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A native XDP program's drops, seen by a probe on the program itself (fexit, BPF trampolines):
 * bpf/samples/xdp_drop_9100.bpf.c on the receiving veth's driver hook drops UDP 9100 before any
 * skb exists. Runs in the kernel VM (tag {@value VethFunctionPathTest#TAG}), since this host's
 * kernel refuses trampolines.
 */
@KernelTest
@Tag(VethFunctionPathTest.TAG)
@TracePackets(backend = Backend.FENTRY, functions = VethFunctionPathTest.FUNCTIONS)
@ExtendWith(VethNamespacesPerTest.class)
class FentryXdpDropTest {

	VethNamespaces network;

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
		System.out.println(PwruFormat.render(trace, trace.packets(udp().dstPort(9100))));
	}
	// }

	@Test
	void an_xdp_drop_of_a_frame_that_never_was_an_skb_is_the_probes_own_event(PacketTrace trace)
			throws URISyntaxException {
		// GIVEN the right veth bouncing UDP 9100 back to the left one as XDP frames (XDP_TX), and the
		// dropping program on the left veth: it runs on frames that never were skbs, as on a NIC
		Path bounce = Path.of(getClass().getResource("/bpf/xdp_tx_9100.bpf.o").toURI());
		Path drop = Path.of(getClass().getResource("/bpf/xdp_drop_9100.bpf.o").toURI());
		network.execInRight("ip", "link", "set", "dev", network.rightInterface(), "xdp", "obj", bounce.toString(),
				"sec", "xdp");
		network.execInLeft("ip", "link", "set", "dev", network.leftInterface(), "xdp", "obj", drop.toString(),
				"sec", "xdp");
		trace.scope(network.leftPath());

		// WHEN the left namespace sends to 9100 (to a neighbour it knows, so no ARP is needed first)
		network.execInLeft("ip", "neigh", "replace", network.rightAddress(), "lladdr",
				network.execInRight("cat", "/sys/class/net/" + network.rightInterface() + "/address").strip(), "dev",
				network.leftInterface());
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 9100).send(2);

		// THEN the bounced frames were dropped by the program, seen only by the probe on it: the drop
		// is its own event (no skb was ever freed for them); the datagrams' own paths left by the veth
		trace.flush();
		assertThat(trace.packets(udp().dstPort(9100))).filteredOn(path -> path.wasDropped()).hasSize(2)
				.allSatisfy(path -> {
					assertThat(path.drop().orElseThrow().where()).isEqualTo(io.tracepackets.PacketEvent.XDP);
					assertThat(path.culprit().orElseThrow()).isEqualTo(new DropCulprit.BpfProgram("xdp_drop_9100",
							((DropCulprit.BpfProgram) path.culprit().orElseThrow()).id(), network.leftInterface(), "xdp",
							java.util.List.of(), DropCulprit.BpfProgram.SEEN_RETURNING_DROP));
				});
		System.out.println(PwruFormat.render(trace, trace.packets(udp().dstPort(9100))));
	}
}
