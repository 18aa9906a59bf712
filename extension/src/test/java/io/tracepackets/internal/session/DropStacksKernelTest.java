package io.tracepackets.internal.session;

import static io.tracepackets.PacketFilter.udp;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.DropReason;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketFilter;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketPath;
import io.tracepackets.internal.window.TraceWindow;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which drops carry their kernel stack ({@code @TracePackets(stacks = ...)}): a stack costs the
 * drop probe microseconds, so by default only netfilter drops, whose location (nft_do_chain, or
 * the hook itself) does not say which hook dropped; every drop when asked.
 */
@KernelTest
class DropStacksKernelTest {

	@Test
	void should_take_the_stack_of_netfilter_drops_only_by_default() {
		List<PacketEvent> drops = dropsOf(TracerOptions.defaults());

		assertThat(drops).filteredOn(drop -> DropReason.NETFILTER_DROP.equals(drop.dropReason())).hasSize(2)
				.allSatisfy(drop -> assertThat(drop.stackFunctions()).contains("nf_hook_slow"));
		assertThat(drops).filteredOn(drop -> DropReason.NO_SOCKET.equals(drop.dropReason())).hasSize(2)
				.allSatisfy(drop -> assertThat(drop.stack()).isEmpty());
	}

	@Test
	void should_take_the_stack_of_every_drop_when_asked() {
		List<PacketEvent> drops = dropsOf(TracerOptions.defaults().withAllDropStacks(true));

		assertThat(drops).filteredOn(drop -> DropReason.NETFILTER_DROP.equals(drop.dropReason())).hasSize(2)
				.allSatisfy(drop -> assertThat(drop.stackFunctions()).contains("nf_hook_slow"));
		assertThat(drops).filteredOn(drop -> DropReason.NO_SOCKET.equals(drop.dropReason())).hasSize(2)
				.allSatisfy(drop -> assertThat(drop.stackFunctions()).contains("ip_local_deliver_finish")
						// 7.0 folded __udp4_lib_rcv into udp_rcv when UDP-Lite went
						.containsAnyOf("__udp4_lib_rcv", "udp_rcv"));
	}

	/** Two datagrams dropped by an iptables-legacy rule and two dropped for NO_SOCKET, traced with {@code options}. */
	private static List<PacketEvent> dropsOf(TracerOptions options) {
		try (TraceSession session = TraceSession.start(options); VethNamespaces veth = VethNamespaces.create();
				TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(3))) {
			veth.execInRight("iptables-legacy", "-A", "INPUT", "-p", "udp", "--dport", "9300", "-j", "DROP");
			trace.scope(veth.rightPath());
			Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), 9300).send(2);
			Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), 9301).send(2);
			// the datagrams wait in the neighbour queue for the first ARP answer: await their drops
			trace.awaitPaths(paths -> drops(paths).size() >= 4, Duration.ofSeconds(5));
			return drops(trace.paths());
		}
	}

	/** The drops of the datagrams to 9300 and 9301. */
	private static List<PacketEvent> drops(List<PacketPath> paths) {
		PacketFilter to9300 = udp().dstPort(9300);
		PacketFilter to9301 = udp().dstPort(9301);
		return paths.stream().filter(path -> to9300.matches(path) || to9301.matches(path)).map(PacketPath::drop)
				.flatMap(Optional::stream).toList();
	}
}
