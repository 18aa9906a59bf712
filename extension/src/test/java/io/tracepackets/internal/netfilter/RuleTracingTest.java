package io.tracepackets.internal.netfilter;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.DropCulprit;
import io.tracepackets.DropReason;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketEvents;
import io.tracepackets.internal.drops.DropAttribution;
import io.tracepackets.internal.netns.VethPairTest;
import io.tracepackets.traffic.Traffic;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kernel's nftables trace, live: rules added in a real namespace drop real datagrams, and the
 * trace names them; the drop events are stand-ins (the BPF side is tested elsewhere) with the
 * datagrams' tuple.
 */
class RuleTracingTest extends VethPairTest {

	private List<PacketEvent> drops(int sourcePort, int destinationPort, int count) {
		PacketEvents packet = PacketEvents.udp(pair.aIp(), sourcePort, pair.bIp(), destinationPort)
				.netns(pair.b().inode());
		return java.util.stream.IntStream.range(0, count).mapToObj(i -> packet.dropped(i, DropReason.NETFILTER_DROP,
				"nft_do_chain+0x46f", "nft_do_chain+0x46f", "nf_hook_slow+0x42", "ip_local_deliver+0x7c")).toList();
	}

	@Test
	void names_an_nft_rule_and_a_policy_then_leaves_only_the_users_ruleset() {
		// GIVEN the user's own table: 9000 dropped by a rule, everything but 9000-9001 by the policy
		String ruleset = """
				table inet guard {
					chain input {
						type filter hook input priority 0; policy drop;
						udp dport 9001 accept
						udp dport 9000 counter drop
					}
				}
				""";
		pair.execInB("sh", "-c", "echo '" + ruleset + "' | nft -f -");
		String before = pair.execInB("nft", "list", "ruleset");
		DropAttribution tracing = new DropAttribution(new RuleTracing());
		try {
			tracing.add(pair.b());

			// WHEN two datagrams to 9000 and one to 9005
			Traffic.fromNetnsPath(pair.a().path()).udp().fromPort(41000).to(pair.bIp(), 9000).send(2);
			Traffic.fromNetnsPath(pair.a().path()).udp().fromPort(41001).to(pair.bIp(), 9005).send(1);
			List<PacketEvent> attributed = tracing.attribute(
					java.util.stream.Stream.concat(drops(41000, 9000, 2).stream(), drops(41001, 9005, 1).stream()).toList());

			// THEN
			assertThat(attributed).extracting(event -> event.culprit().orElse(null)).containsExactly(
					new DropCulprit.NetfilterRule("nft", "inet", "guard", "input", 2, 3, "udp dport 9000 counter drop", false,
							"nftrace", List.of()),
					new DropCulprit.NetfilterRule("nft", "inet", "guard", "input", 2, 3, "udp dport 9000 counter drop", false,
							"nftrace", List.of()),
					new DropCulprit.NetfilterRule("nft", "inet", "guard", "input", 0, 0, "policy drop", true, "nftrace",
							List.of()));
			assertThat(pair.execInB("nft", "list", "tables")).contains("tracepackets_");
		} finally {
			tracing.close();
		}
		// AND once the kept tracing table is deleted (a closing session does it), nothing of the
		// tracing stays, nothing of the user's is lost
		TracingTables.deleteIdle();
		assertThat(withoutCounters(pair.execInB("nft", "list", "ruleset"))).isEqualTo(withoutCounters(before));
	}

	/**
	 * Waits until the netfilter netlink sockets of namespace b hold nothing unread ({@code Rmem} 0 in
	 * its /proc/net/netlink), which only the tracing's poller can bring about, and fails when the
	 * kernel dropped messages for want of room ({@code Drops}).
	 */
	private static void awaitTracesRead() throws InterruptedException {
		long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
		while (true) {
			// sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode; Eth 12 is NETLINK_NETFILTER
			List<String[]> sockets = pair.execInB("cat", "/proc/net/netlink").lines().skip(1)
					.map(l -> l.strip().split("\\s+")).filter(f -> f[1].equals("12")).toList();
			assertThat(sockets).as("netfilter netlink sockets in b").isNotEmpty()
					.allSatisfy(f -> assertThat(f[8]).as("messages the kernel dropped").isEqualTo("0"));
			if (sockets.stream().allMatch(f -> f[4].equals("0"))) {
				return;
			}
			assertThat(System.nanoTime()).as("the poller read the trace socket within 30 s").isLessThan(deadline);
			Thread.sleep(5);
		}
	}

	private static String withoutCounters(String ruleset) {
		return ruleset.replaceAll("packets \\d+ bytes \\d+", "");
	}

	@Test
	void a_drop_without_a_trace_has_no_culprit() {
		DropAttribution tracing = new DropAttribution(new RuleTracing());
		try {
			tracing.add(pair.b());

			// WHEN a drop event no rule made (nothing was sent)
			List<PacketEvent> attributed = tracing.attribute(drops(41002, 9100, 1));

			// THEN
			assertThat(attributed.getFirst().culprit()).isEmpty();
		} finally {
			tracing.close();
		}
	}

	@Test
	void names_the_rule_of_a_drop_after_more_traffic_than_the_socket_holds() throws InterruptedException {
		// GIVEN a rule dropping 9010, in a table of its own
		pair.execInB("sh", "-c", "nft add table ip busy; nft 'add chain ip busy input { type filter hook input"
				+ " priority 0; }'; nft add rule ip busy input udp dport 9010 drop");
		DropAttribution tracing = new DropAttribution(new RuleTracing());
		try {
			tracing.add(pair.b());

			// WHEN 30000 accepted datagrams (several trace messages each: more than the socket's 32 MiB
			// hold unread) come before the one the rule drops, in batches the socket holds, each read
			// by the poller before the next is sent: at full speed, a poller a busy machine schedules
			// late let the socket overflow, and the kernel dropped the drop's trace with the rest
			for (int batch = 0; batch < 15; batch++) {
				Traffic.fromNetnsPath(pair.a().path()).udp().fromPort(41003).to(pair.bIp(), 9011).send(2_000);
				awaitTracesRead();
			}
			Traffic.fromNetnsPath(pair.a().path()).udp().fromPort(41004).to(pair.bIp(), 9010).send(1);

			// THEN
			assertThat(tracing.attribute(drops(41004, 9010, 1)).getFirst().culprit())
					.contains(new DropCulprit.NetfilterRule("nft", "ip", "busy", "input", 1, 2, "udp dport 9010 drop",
							false, "nftrace", List.of()));
		} finally {
			tracing.close();
			pair.execInB("nft", "delete", "table", "ip", "busy");
		}
	}
}
