package io.tracepackets.internal.netfilter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.tracepackets.DropCulprit;
import io.tracepackets.DropReason;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketEvents;
import io.tracepackets.internal.drops.DropAttribution;
import io.tracepackets.internal.netns.NetworkNamespace;
import io.tracepackets.internal.netns.VethPair;
import io.tracepackets.internal.netns.VethPairTest;
import io.tracepackets.traffic.Traffic;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The tracing table a namespace keeps between tests, live: one table serves the windows that
 * scope the namespace one after the other, each window names only the drops of its own time, a
 * flushed ruleset gets a new table, and the table goes once no window used it for the linger, when
 * the tables are deleted (a closing session), or with its namespace, without an error.
 */
class KeptTracingTableTest extends VethPairTest {

	private static final String RULES = "table inet guard {\n chain input { type filter hook input priority 0;"
			+ " udp dport 9400 drop; }\n}\n";

	@AfterEach
	void deleteTables() {
		TracingTables.deleteIdle();
		pair.execInB("sh", "-c", "nft delete table inet guard 2>/dev/null; true");
	}

	/** This JVM's tracing tables in namespace b, as {@code nft} lists them. */
	private static List<String> ownTables() {
		String own = "tracepackets_" + ProcessHandle.current().pid() + "_";
		return pair.execInB("nft", "list", "tables", "inet").lines().map(String::strip)
				.filter(line -> line.startsWith("table inet " + own)).map(line -> line.substring("table inet ".length()))
				.toList();
	}

	private static PacketEvent drop(int sourcePort) {
		return PacketEvents.udp(pair.aIp(), sourcePort, pair.bIp(), 9400).netns(pair.b().inode())
				.dropped(0, DropReason.NETFILTER_DROP, "nft_do_chain+0x46f", "nft_do_chain+0x46f", "nf_hook_slow+0x42",
						"ip_local_deliver+0x7c");
	}

	private static DropCulprit.NetfilterRule guardRule() {
		return new DropCulprit.NetfilterRule("nft", "inet", "guard", "input", 1, 2, "udp dport 9400 drop", false,
				"nftrace", List.of());
	}

	@Test
	void windows_one_after_the_other_share_one_table_which_goes_when_the_tables_are_deleted() {
		// GIVEN a window that scoped b and closed
		try (DropAttribution first = new DropAttribution(new RuleTracing())) {
			first.add(pair.b());
			assertThat(ownTables()).hasSize(1);
		}
		List<String> kept = ownTables();
		assertThat(kept).as("the table kept for the next test").hasSize(1);

		// WHEN the next window scopes b
		try (DropAttribution second = new DropAttribution(new RuleTracing())) {
			second.add(pair.b());

			// THEN it uses the same table, and adds none
			assertThat(ownTables()).isEqualTo(kept);
		}

		// AND once the idle tables are deleted (a closing session does it), none is left
		TracingTables.deleteIdle();
		assertThat(ownTables()).isEmpty();
		assertThat(TracingTables.kept(pair.b().inode())).isEmpty();
	}

	@Test
	void a_window_names_no_drop_of_an_earlier_window_on_the_same_table() {
		pair.execInB("sh", "-c", "echo '" + RULES + "' | nft -f -");
		// GIVEN a window during which a datagram was dropped by the rule, and whose drop nobody asked about
		try (DropAttribution earlier = new DropAttribution(new RuleTracing())) {
			earlier.add(pair.b());
			Traffic.fromNetnsPath(pair.a().path()).udp().fromPort(43000).to(pair.bIp(), 9400).send(1);
		}

		// WHEN the next window, on the same kept table, is asked about a drop of the same flow
		try (DropAttribution later = new DropAttribution(new RuleTracing())) {
			later.add(pair.b());
			PacketEvent stale = later.attribute(List.of(drop(43000))).getFirst();

			// THEN the earlier window's trace is not its to give
			assertThat(stale.culprit()).isEmpty();

			// AND a datagram dropped during this window is named
			Traffic.fromNetnsPath(pair.a().path()).udp().fromPort(43000).to(pair.bIp(), 9400).send(1);
			assertThat(later.attribute(List.of(drop(43000))).getFirst().culprit()).contains(guardRule());
		}
	}

	@Test
	void a_flushed_ruleset_gets_a_new_table_and_drops_are_named_again() {
		// GIVEN a kept table, then the test's own reset of the namespace's rules
		try (DropAttribution first = new DropAttribution(new RuleTracing())) {
			first.add(pair.b());
		}
		List<String> before = ownTables();
		pair.execInB("nft", "flush", "ruleset");
		pair.execInB("sh", "-c", "echo '" + RULES + "' | nft -f -");
		assertThat(ownTables()).isEmpty();

		// WHEN the next window scopes b
		try (DropAttribution next = new DropAttribution(new RuleTracing())) {
			next.add(pair.b());

			// THEN a new table traces it, and the rule of a drop is named
			assertThat(ownTables()).hasSize(1).doesNotContainAnyElementsOf(before);
			Traffic.fromNetnsPath(pair.a().path()).udp().fromPort(43001).to(pair.bIp(), 9400).send(1);
			assertThat(next.attribute(List.of(drop(43001))).getFirst().culprit()).contains(guardRule());
		}
	}

	@Test
	void a_namespace_deleted_while_its_table_is_kept_is_no_error() {
		// GIVEN a namespace of its own, traced by a window that closed: its table is kept
		NetworkNamespace gone;
		try (VethPair own = VethPair.create()) {
			gone = own.b();
			try (DropAttribution window = new DropAttribution(new RuleTracing())) {
				window.add(gone);
			}
			assertThat(TracingTables.kept(gone.inode())).isPresent();
		}
		// WHEN the namespace is deleted (above) and the kept tables are deleted
		// THEN nothing fails, and the table is forgotten (it went with its namespace)
		assertThatCode(TracingTables::deleteIdle).doesNotThrowAnyException();
		assertThat(TracingTables.kept(gone.inode())).isEmpty();
	}

	@Test
	void the_table_goes_by_itself_once_no_window_used_it_for_the_linger() throws InterruptedException {
		// GIVEN a window that scoped b and closed
		try (DropAttribution window = new DropAttribution(new RuleTracing())) {
			window.add(pair.b());
		}
		assertThat(ownTables()).hasSize(1);

		// WHEN nothing scopes b for longer than the linger
		long deadline = System.nanoTime() + TracingTables.LINGER.toNanos() + TimeUnit.SECONDS.toNanos(20);
		while (!ownTables().isEmpty() && System.nanoTime() < deadline) {
			Thread.sleep(200);
		}

		// THEN the background thread deleted it
		assertThat(ownTables()).as("this JVM's tracing tables in b, %s after the last window", TracingTables.LINGER)
				.isEmpty();
		assertThat(TracingTables.kept(pair.b().inode())).isEmpty();
	}
}
