package io.tracepackets.internal.drops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tracepackets.DropKind;
import io.tracepackets.internal.btf.DropReasons;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The running kernel's reasons (read from /sys/kernel/btf/vmlinux, which root can read) against the
 * table. A reason the table lacks does not fail the build: a stable revision of a kernel adds reasons
 * (6.18.44 added two) and users' kernels are newer than any release of the table. It is reported,
 * with what a user gets for it meanwhile, and that fallback is what this test holds: counted as lost,
 * named, and pointed at the kernel's header. Completeness is DropReasonTableCoverageTest's job,
 * against the lists of the kernels the project knows.
 */
class DropReasonTableLiveTest {

	private static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

	@Test
	void should_report_the_running_kernels_reasons_the_table_lacks_and_classify_them_as_lost() throws IOException {
		// GIVEN
		// Skipped only outside CI and strict runs, where a kernel test must fail rather than skip.
		boolean strict = "true".equalsIgnoreCase(System.getenv("CI")) || Boolean.getBoolean("tracepackets.strict");
		assumeTrue(Files.isReadable(VMLINUX) || strict, "needs a readable " + VMLINUX + " (root, CONFIG_DEBUG_INFO_BTF)");
		String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
		DropReasons reasons = DropReasons.fromKernel();
		DropReasonTable table = DropReasonTable.load();

		// WHEN
		List<String> missing = reasons.names().stream().filter(name -> table.entry(name).isEmpty()).toList();

		// THEN
		System.out.printf("kernel %s: %d drop reasons, %d in TracePackets' table, %d not in it%n", release,
				reasons.names().size(), table.names().size(), missing.size());
		if (!reasons.isEmpty()) {
			assertThat(reasons.names()).as("the kernel's reasons read from its BTF").contains("NO_SOCKET", "NETFILTER_DROP");
		}
		for (String name : missing) {
			Classification fallback = table.classify(name, null);
			String sentence = table.explain(name, Map.of());
			System.out.printf("  not in the table: %s -> %s (%s); sentence: %s%n", name, fallback.kind(), fallback.why(),
					sentence);
			assertThat(fallback.kind()).as("what %s counts as until classified", name).isEqualTo(DropKind.LOST);
			assertThat(fallback.why()).as("why %s counts so", name).startsWith(name + ": not in TracePackets' table");
			assertThat(sentence).as("the sentence for %s", name).contains(name).contains("include/net/dropreason");
		}
	}
}
