package io.tracepackets.internal.netfilter;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.KernelTest;
import io.tracepackets.internal.containers.DistrolessTarget;
import io.tracepackets.internal.containers.HelperContainer;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;

/**
 * The nftables trace of a container's namespace as a JVM that cannot enter it reads it: through
 * {@code nft monitor trace} in a helper container, for a real packet dropped by a real rule.
 */
@KernelTest
class NftMonitorTraceKernelTest {

	@Test
	void should_name_the_table_chain_and_handle_of_the_rule_that_dropped_a_packet() throws Exception {
		GenericContainer<?> target = DistrolessTarget.start();
		try {
			// GIVEN the container's namespace, seen as unenterable, with a drop rule of the user's
			HelperContainer helper = DistrolessTarget.helper(target);
			long pid = target.getContainerInfo().getState().getPidLong();
			NetworkNamespace netns = NetworkNamespace.unreachable(NetworkNamespace.ofPid(pid).inode(),
					"container distroless", "this test does not enter it").withEntry(helper);
			helper.run(Map.of("/tracepackets/guard.nft", ("table inet guard {\n chain input { type filter hook input"
					+ " priority 0; policy accept; udp dport 9000 counter drop; }\n}\n").getBytes(StandardCharsets.UTF_8)),
					"nft", "-f", "/tracepackets/guard.nft");
			InetAddress ip = InetAddress.getByName(target.getContainerInfo().getNetworkSettings().getIpAddress());

			Optional<NftTrace> drop;
			try (NftTraceSource trace = NftMonitorTrace.open(netns, helper, "tracepackets_test_1");
					DatagramSocket socket = new DatagramSocket()) {
				// WHEN a datagram reaches the rule
				socket.send(new DatagramPacket(new byte[] {'x'}, 1, ip, 9000));
				drop = trace.takeDrop(new NftTrace.Tuple(InetAddress.getByName(socket.getLocalAddress().isAnyLocalAddress()
						? sourceTowards(ip) : socket.getLocalAddress().getHostAddress()), ip, 17, socket.getLocalPort(), 9000));
			}

			// THEN the trace names that rule, and the tracing table is gone with the trace
			assertThat(drop).hasValueSatisfying(found -> {
				assertThat(found.table()).isEqualTo("guard");
				assertThat(found.chain()).isEqualTo("input");
				assertThat(found.handle()).isPositive();
				assertThat(found.isDrop()).isTrue();
			});
			assertThat(helper.run(Map.of(), "nft", "list", "tables")).contains("guard").doesNotContain("tracepackets_test_1");
		} finally {
			target.stop();
		}
	}

	/** The address this host sends from to {@code ip}: the bridge's, as the kernel picks it. */
	private static String sourceTowards(InetAddress ip) throws Exception {
		try (DatagramSocket probe = new DatagramSocket()) {
			probe.connect(ip, 9);
			return probe.getLocalAddress().getHostAddress();
		}
	}
}
