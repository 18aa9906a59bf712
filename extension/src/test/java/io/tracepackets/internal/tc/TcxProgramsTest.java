package io.tracepackets.internal.tc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.DropCulprit;
import io.tracepackets.DropReason;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketEvents;
import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.internal.drops.DropAttribution;
import io.tracepackets.internal.ffi.Libc;
import io.tracepackets.internal.libbpf.LibBpf;
import io.tracepackets.internal.netfilter.RuleTracing;
import io.tracepackets.internal.netns.NetnsRunner;
import io.tracepackets.internal.netns.VethPairTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A tc program attached the modern way, through a tcx link (6.6+), as current CNIs attach theirs:
 * the kernel's own list of the hook's programs names it.
 */
class TcxProgramsTest extends VethPairTest {

	@Test
	void a_tcx_program_is_named_by_its_attach_point() {
		// GIVEN the sample classifier linked to b's ingress with tcx
		int ifindex = NetnsRunner.call(pair.b(), () -> Libc.interfaceNames().entrySet().stream()
				.filter(e -> e.getValue().equals(pair.bInterface())).map(Map.Entry::getKey).findFirst().orElseThrow());
		try (BpfObject object = BpfObject.openResource("io/tracepackets/bpf/samples/drop_udp_9000.bpf.o", "sample")) {
			object.load();
			int programFd = object.program("drop_udp_9000").fd();
			int link = NetnsRunner.call(pair.b(),
					() -> LibBpf.createLink(programFd, ifindex, LibBpf.BPF_TCX_INGRESS, "tcx link on " + pair.bInterface()));
			try {
				// WHEN / THEN the hook lists it, and a TC_INGRESS drop there is given it
				List<TcPrograms.Program> programs = TcPrograms.attached(pair.b(), ifindex, "ingress").programs();
				assertThat(programs).extracting(TcPrograms.Program::name).containsExactly("drop_udp_9000");
				// (the event's interface name is stale on purpose: an earlier namespace with the same inode)
				PacketEvent drop = PacketEvents.udp(pair.aIp(), 40000, pair.bIp(), 9000).netns(pair.b().inode())
						.iface(ifindex, "gone0")
						.dropped(0, DropReason.TC_INGRESS, "__netif_receive_skb_core.constprop.0+0x4dc");
				try (DropAttribution tracing = new DropAttribution(new RuleTracing())) {
					tracing.add(pair.b());
					assertThat(tracing.attribute(List.of(drop)).getFirst().culprit())
							.contains(new DropCulprit.BpfProgram("drop_udp_9000", programs.getFirst().id(),
									pair.bInterface(), "tc ingress", List.of()));
				}
			} finally {
				Libc.close(link);
			}
			assertThat(TcPrograms.attached(pair.b(), ifindex, "ingress").programs()).isEmpty();
		}
	}
}
