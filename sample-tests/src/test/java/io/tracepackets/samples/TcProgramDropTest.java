package io.tracepackets.samples;

import static io.tracepackets.DropReason.NO_SOCKET;
import static io.tracepackets.DropReason.TC_INGRESS;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.DropCulprit;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.samples.support.VethNamespacesPerTest;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A CNI-style datapath program, asserted: a tc classifier (bpf/samples/drop_udp_9000.bpf.c)
 * attached with {@code tc filter add ... bpf da} on the receiving veth drops UDP 9000, and the drop
 * names the program.
 */
@KernelTest
@TracePackets
@ExtendWith(VethNamespacesPerTest.class)
class TcProgramDropTest {

	VethNamespaces network;

	// tcProgramDrop {
	@Test
	void a_tc_program_that_drops_udp_9000_is_named_as_the_culprit(PacketTrace trace) throws URISyntaxException {
		// GIVEN the classifier on the right namespace's ingress
		trace.scope(network.rightPath());
		Path program = Path.of(getClass().getResource("/bpf/drop_udp_9000.bpf.o").toURI());
		network.execInRight("tc", "qdisc", "add", "dev", network.rightInterface(), "clsact");
		network.execInRight("tc", "filter", "add", "dev", network.rightInterface(), "ingress", "bpf", "da", "obj",
				program.toString(), "sec", "tc");

		// WHEN the left namespace sends to 9000 and 9001
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 9000).send(2);
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 9001).send(2);

		// THEN the program dropped the ones to 9000 at tc ingress; those to 9001 got past it, to UDP,
		// which found no socket (nothing listens in this namespace)
		assertThat(trace).packets(udp().dstPort(9000))
				.hasCount(2)
				.wereDropped()
				.withReason(TC_INGRESS)
				.byProgram("drop_udp_9000");
		assertThat(trace).packets(udp().dstPort(9001)).hasCount(2).wereDropped().withReason(NO_SOCKET);
		assertThat(trace.packets(udp().dstPort(9000))).allSatisfy(path -> assertThat(path.culprit().orElseThrow())
				.isInstanceOfSatisfying(DropCulprit.BpfProgram.class, culprit -> {
					assertThat(culprit.device()).isEqualTo(network.rightInterface());
					assertThat(culprit.hook()).isEqualTo("tc ingress");
				}));
	}
	// }
}
