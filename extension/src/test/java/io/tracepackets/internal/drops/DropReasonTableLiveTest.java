package io.tracepackets.internal.drops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tracepackets.internal.btf.DropReasons;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Every reason of the running kernel (read from /sys/kernel/btf/vmlinux, which root can read) has an
 * entry: a kernel newer than the table fails here until its new reasons are classified.
 */
class DropReasonTableLiveTest {

	private static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

	@Test
	void should_have_an_entry_for_every_reason_of_the_running_kernel() throws IOException {
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
		System.out.printf("kernel %s: %d drop reasons, %d in TracePackets' table%n", release, reasons.names().size(),
				table.names().size());
		assertThat(missing).as("reasons of the running kernel %s without an entry in drop-reasons.tsv", release)
				.isEmpty();
	}
}
