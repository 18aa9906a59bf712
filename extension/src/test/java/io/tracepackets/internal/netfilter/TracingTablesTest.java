package io.tracepackets.internal.netfilter;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.internal.netns.VethPairTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which tracing tables a JVM may judge left behind by a killed one: its own pid namespace's whose
 * pid runs no process, and old-style names (pid only); never another pid namespace's, whose pids
 * mean other processes (a CI job container beside this one on the same kernel).
 */
class TracingTablesTest extends VethPairTest {

	/** A pid no process can have: above PID_MAX_LIMIT (2^22), the highest pid_max the kernel allows. */
	private static final long NO_PROCESS = (1L << 22) + 1;

	@Test
	void should_delete_only_the_tables_of_gone_processes_of_its_own_pid_namespace() throws Exception {
		// GIVEN tables of a gone JVM: of this pid namespace, of another, with the old name; and one of this JVM
		long ownPidNamespace = (Long) Files.getAttribute(Path.of("/proc/self/ns/pid"), "unix:ino");
		String ours = "tracepackets_" + NO_PROCESS + "_1_" + ownPidNamespace;
		String otherPidNamespace = "tracepackets_" + NO_PROCESS + "_2_" + (ownPidNamespace + 1);
		String oldName = "tracepackets_" + NO_PROCESS + "_3";
		String live = TracingTables.newName();
		for (String table : List.of(ours, otherPidNamespace, oldName, live)) {
			pair.execInB("nft", "add", "table", "inet", table);
		}
		try {
			// WHEN this JVM sweeps the namespace (whether an earlier namespace with the same inode was swept or not)
			List<String> removed = TracingTables.removeStaleNow(pair.b());

			// THEN the gone JVM's tables of this pid namespace are deleted, the other's and its own stay
			assertThat(removed).containsExactlyInAnyOrder(ours, oldName);
			assertThat(pair.execInB("nft", "list", "tables", "inet")).doesNotContain(ours).doesNotContain(oldName)
					.contains(otherPidNamespace).contains(live);
			// and once swept, a namespace is not swept again by this JVM
			TracingTables.removeStale(pair.b());
			assertThat(TracingTables.removeStale(pair.b())).isEmpty();
		} finally {
			for (String table : List.of(otherPidNamespace, live)) {
				pair.execInB("nft", "delete", "table", "inet", table);
			}
		}
	}
}
