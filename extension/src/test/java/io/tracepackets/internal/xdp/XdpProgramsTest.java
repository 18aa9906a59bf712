package io.tracepackets.internal.xdp;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.DropCulprit;
import io.tracepackets.DropReason;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketEvents;
import io.tracepackets.internal.drops.DropAttribution;
import io.tracepackets.internal.ffi.Libc;
import io.tracepackets.internal.netfilter.RuleTracing;
import io.tracepackets.internal.netns.NamespaceCommand;
import io.tracepackets.internal.netns.NetnsRunner;
import io.tracepackets.internal.netns.VethPairTest;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The XDP programs of a namespace's devices, from the kernel's link dump, and the drops they are given. */
class XdpProgramsTest extends VethPairTest {

	/** An RTM_NEWLINK message of link {@code ifindex} named {@code name}, with IFLA_XDP's per-mode program ids. */
	private static byte[] link(int ifindex, String name, int nativeId, int genericId) {
		java.nio.ByteBuffer m = java.nio.ByteBuffer.allocate(128).order(java.nio.ByteOrder.nativeOrder());
		m.putInt(0).putShort((short) 16).putShort((short) 2).putInt(1).putInt(0); // nlmsghdr, length set below
		m.put((byte) 0).put((byte) 0).putShort((short) 1).putInt(ifindex).putInt(0).putInt(0); // ifinfomsg
		byte[] bytes = (name + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
		m.putShort((short) (4 + bytes.length)).putShort((short) 3).put(bytes);
		m.position((m.position() + 3) & ~3);
		m.putShort((short) (4 + 8 + 8 + 8)).putShort((short) (43 | 0x8000)); // IFLA_XDP, nested
		m.putShort((short) 5).putShort((short) 2).put((byte) (nativeId != 0 && genericId != 0 ? 4 : nativeId != 0 ? 1 : 2))
				.put(new byte[3]); // IFLA_XDP_ATTACHED
		m.putShort((short) 8).putShort((short) 5).putInt(nativeId); // IFLA_XDP_DRV_PROG_ID
		m.putShort((short) 8).putShort((short) 6).putInt(genericId); // IFLA_XDP_SKB_PROG_ID
		int length = m.position();
		m.putInt(0, length);
		return java.util.Arrays.copyOf(m.array(), length);
	}

	@Test
	void the_link_dump_names_each_device_s_programs_with_their_mode() {
		Map<Integer, String> names = Map.of(19533, "xdp_drop_9100", 7, "lb_main", 8, "fw_generic");
		assertThat(XdpPrograms.parse(List.of(link(2, "vb11775", 0, 19533), link(3, "mv0", 7, 8)), names::get))
				.containsExactly(
						new XdpPrograms.Program("vb11775", 2, "xdp_drop_9100", 19533, "generic"),
						new XdpPrograms.Program("mv0", 3, "lb_main", 7, "native"),
						new XdpPrograms.Program("mv0", 3, "fw_generic", 8, "generic"));
	}

	@Test
	void a_drop_where_veth_runs_its_xdp_program_is_given_that_program() throws URISyntaxException {
		// GIVEN the sample XDP program on b's veth, in native mode
		Path object = Path.of(getClass().getResource("/io/tracepackets/bpf/samples/xdp_drop_9100.bpf.o").toURI());
		int ifindex = NetnsRunner.call(pair.b(), () -> Libc.interfaceNames().entrySet().stream()
				.filter(e -> e.getValue().equals(pair.bInterface())).map(Map.Entry::getKey).findFirst().orElseThrow());
		NamespaceCommand.run(pair.b(), null, "ip", "link", "set", "dev", pair.bInterface(), "xdp", "obj",
				object.toString(), "sec", "xdp");
		try {
			// WHEN the kernel's link dump is read, and a drop at veth's XDP path is attributed
			List<XdpPrograms.Program> programs = XdpPrograms.attached(pair.b());
			PacketEvents packet = PacketEvents.udp(pair.aIp(), 40000, pair.bIp(), 9100).netns(pair.b().inode())
					.iface(ifindex, pair.bInterface());
			PacketEvent drop = packet.dropped(0, DropReason.NOT_SPECIFIED, "veth_xdp_rcv_skb+0x2cc");
			try (DropAttribution tracing = new DropAttribution(new RuleTracing())) {
				tracing.add(pair.b());

				// THEN the program is listed, and the drop is its, by attach point
				assertThat(programs).singleElement().satisfies(program -> {
					assertThat(program.name()).isEqualTo("xdp_drop_9100");
					assertThat(program.device()).isEqualTo(pair.bInterface());
					assertThat(program.mode()).isEqualTo("native");
				});
				int id = programs.getFirst().id();
				assertThat(tracing.attribute(List.of(drop)).getFirst().culprit())
						.contains(new DropCulprit.BpfProgram("xdp_drop_9100", id, pair.bInterface(),
								"xdp", List.of(), DropCulprit.BpfProgram.BY_ATTACH_POINT));

				// AND the probe on the program, when it saw the verdict: its event alone is the drop;
				// followed by the free of the frame's skb, that free is, with the probe's evidence
				PacketEvent verdict = packet.xdpVerdict(-1, id);
				DropCulprit seen = new DropCulprit.BpfProgram("xdp_drop_9100", id, pair.bInterface(), "xdp", List.of(),
						DropCulprit.BpfProgram.SEEN_RETURNING_DROP);
				assertThat(tracing.attribute(List.of(verdict))).singleElement()
						.satisfies(e -> assertThat(e.where()).isEqualTo(PacketEvent.XDP))
						.satisfies(e -> assertThat(e.culprit()).contains(seen));
				assertThat(tracing.attribute(List.of(verdict, drop))).singleElement()
						.satisfies(e -> assertThat(e.where()).isEqualTo("kfree_skb"))
						.satisfies(e -> assertThat(e.culprit()).contains(seen));

				// AND a reader that reads on holds a verdict back once, for the free that may come
				// in its next batch: one packet, however the batches fall
				assertThat(tracing.attribute(List.of(verdict), false)).isEmpty();
				assertThat(tracing.attribute(List.of(drop), false)).singleElement()
						.satisfies(e -> assertThat(e.where()).isEqualTo("kfree_skb"))
						.satisfies(e -> assertThat(e.culprit()).contains(seen));
				assertThat(tracing.attribute(List.of(verdict), false)).isEmpty();
				assertThat(tracing.attribute(List.of(), false)).singleElement()
						.satisfies(e -> assertThat(e.where()).isEqualTo(PacketEvent.XDP));
			}
		} finally {
			NamespaceCommand.run(pair.b(), null, "ip", "link", "set", "dev", pair.bInterface(), "xdp", "off");
		}
		assertThat(XdpPrograms.attached(pair.b())).isEmpty();
	}

	@Test
	void a_program_attached_after_the_namespace_was_first_asked_about_is_found_at_its_drop() throws URISyntaxException {
		// GIVEN a namespace whose XDP programs were read while it had none
		Path object = Path.of(getClass().getResource("/io/tracepackets/bpf/samples/xdp_drop_9100.bpf.o").toURI());
		int ifindex = NetnsRunner.call(pair.b(), () -> Libc.interfaceNames().entrySet().stream()
				.filter(e -> e.getValue().equals(pair.bInterface())).map(Map.Entry::getKey).findFirst().orElseThrow());
		PacketEvent drop = PacketEvents.udp(pair.aIp(), 40000, pair.bIp(), 9100).netns(pair.b().inode())
				.iface(ifindex, pair.bInterface()).dropped(0, DropReason.NOT_SPECIFIED, "veth_xdp_rcv_skb+0x2cc");
		try (DropAttribution tracing = new DropAttribution(new RuleTracing())) {
			tracing.add(pair.b());
			assertThat(tracing.attribute(List.of(drop)).getFirst().culprit()).isEmpty();

			// WHEN the program is attached afterwards, and drops
			NamespaceCommand.run(pair.b(), null, "ip", "link", "set", "dev", pair.bInterface(), "xdp", "obj",
					object.toString(), "sec", "xdp");
			try {
				// THEN its drop is given it
				assertThat(tracing.attribute(List.of(drop)).getFirst().culprit().orElseThrow())
						.isInstanceOfSatisfying(DropCulprit.BpfProgram.class,
								culprit -> assertThat(culprit.name()).isEqualTo("xdp_drop_9100"));
			} finally {
				NamespaceCommand.run(pair.b(), null, "ip", "link", "set", "dev", pair.bInterface(), "xdp", "off");
			}
		}
	}
}
