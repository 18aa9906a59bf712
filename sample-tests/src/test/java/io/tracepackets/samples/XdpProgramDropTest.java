package io.tracepackets.samples;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracepackets.DropCulprit;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.XdpProgram;
import io.tracepackets.samples.support.VethNamespacesPerTest;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An XDP datapath program, asserted: bpf/samples/xdp_drop_9100.bpf.c, attached with
 * {@code ip link set dev X xdpgeneric|xdp obj ... sec xdp} on the receiving veth, drops UDP 9100.
 * veth runs XDP on the skb its peer sent, and generic XDP on the stack's skb: the kernel frees that
 * skb after the drop verdict ({@code veth_xdp_rcv_skb}, {@code do_xdp_generic}), which the drop
 * tracepoint sees, and the program attached there is named (by attach point, where no probe on the
 * program itself can attach, as on a kernel that refuses fexit). A failure about packets in the
 * namespace lists the XDP programs attached there.
 */
@KernelTest
@TracePackets
@ExtendWith(VethNamespacesPerTest.class)
class XdpProgramDropTest {

	VethNamespaces network;
	Path program;

	@BeforeEach
	void program() throws URISyntaxException {
		program = Path.of(getClass().getResource("/bpf/xdp_drop_9100.bpf.o").toURI());
	}

	// xdpVethDrop {
	@Test
	void an_xdp_program_that_drops_udp_9100_is_named_as_the_culprit(PacketTrace trace) {
		// GIVEN the XDP program on the right namespace's veth (native mode: veth has a driver hook)
		network.execInRight("ip", "link", "set", "dev", network.rightInterface(), "xdp", "obj", program.toString(),
				"sec", "xdp");
		trace.scope(network.rightPath());

		// WHEN the left namespace sends to 9100 and 9101
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 9100).send(2);
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 9101).send(2);

		// THEN the program dropped those to 9100; those to 9101 passed it and reached the stack
		assertThat(trace).packets(udp().dstPort(9100))
				.hasCount(2)
				.wereDroppedByXdp()
				.byProgram("xdp_drop_9100");
		assertThat(trace).packets(udp().dstPort(9101)).hasCount(2).reached("netif_receive_skb");
		assertThat(trace.packets(udp().dstPort(9100))).allSatisfy(path -> assertThat(path.culprit().orElseThrow())
				.isInstanceOfSatisfying(DropCulprit.BpfProgram.class, culprit -> {
					assertThat(culprit.device()).isEqualTo(network.rightInterface());
					assertThat(culprit.hook()).isEqualTo("xdp");
				}));
	}
	// }

	@Test
	void a_generic_xdp_drop_is_named_by_attach_point(PacketTrace trace) {
		// GIVEN the XDP program in generic mode (the stack's hook, on an skb)
		network.execInRight("ip", "link", "set", "dev", network.rightInterface(), "xdpgeneric", "obj",
				program.toString(), "sec", "xdp");
		trace.scope(network.rightPath());

		// WHEN
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 9100).send(2);

		// THEN generic XDP freed them in do_xdp_generic, where the generic program is attached (one
		// packet each, although generic XDP gave each skb a new head, and so a new kernel id, first)
		assertThat(trace).packets(udp().dstPort(9100))
				.hasCount(2)
				.wereDroppedByXdp()
				.byProgram("xdp_drop_9100");
		assertThat(trace.packets(udp().dstPort(9100))).allSatisfy(path -> assertThat(path.culprit().orElseThrow())
				.isInstanceOfSatisfying(DropCulprit.BpfProgram.class, culprit -> {
					assertThat(culprit.hook()).isEqualTo("xdp generic");
					assertThat(culprit.evidence()).isEqualTo(DropCulprit.BpfProgram.BY_ATTACH_POINT);
				}));
	}

	@Test
	void a_failure_about_packets_in_a_namespace_with_an_xdp_program_names_the_program(PacketTrace trace) {
		// GIVEN the XDP program on the right veth
		network.execInRight("ip", "link", "set", "dev", network.rightInterface(), "xdp", "obj", program.toString(),
				"sec", "xdp");
		trace.scope(network.rightPath());

		// WHEN
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 9100).send(1);

		// THEN a test that expected them delivered learns which XDP program sits at the device, and
		// whether its drops are seen or it is only named by where it is attached
		XdpProgram program = trace.xdpPrograms().stream().filter(p -> p.name().equals("xdp_drop_9100")).findFirst()
				.orElseThrow(() -> new AssertionError("the XDP program is not listed: " + trace.xdpPrograms()));
		assertThat(program.device()).isEqualTo(network.rightInterface());
		assertThat(program.mode()).isEqualTo("native");
		String line = "xdp_drop_9100 (id " + program.id() + ") on " + network.rightInterface() + ", native mode: "
				+ program.whyNotTraced().map(why -> "attribution by attach point only (no probe on the program: " + why
						+ ")").orElse("its drops are traced (fexit on the program)");
		assertThatThrownBy(() -> assertThat(trace).packets(udp().dstPort(9100)).wereDelivered())
				.isInstanceOf(AssertionError.class)
				.hasMessageContaining("XDP programs attached in the traced namespaces")
				.hasMessageContaining("  " + line)
				.satisfies(failure -> System.out.println(failure.getMessage()));
	}
}
