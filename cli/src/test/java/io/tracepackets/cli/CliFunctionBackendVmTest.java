package io.tracepackets.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * pwru's --filter-func where a function backend runs: only in the kernel-VM suite
 * ({@code scripts/vm-suite --classes 'Cli.*'}), the CI host having none. The command line a pwru
 * user types, with {@code pwru} being the jar; the functions named trace, and only they.
 */
@Tag("kernel-vm")
@ExtendWith(JarAndNamespaces.class)
class CliFunctionBackendVmTest {

	/** One pair for the class, made and deleted by {@link JarAndNamespaces}. */
	private static VethNamespaces veth;

	@TempDir
	Path dir;

	@Test
	void should_trace_the_functions_pwrus_filter_func_names_exactly() throws Exception {
		// GIVEN pwru's exact-name filter on two functions a received datagram passes
		// (under emulation the jar's JVM starts with the suite's own options, and takes minutes)
		try (CliJarTest.Cli cli = CliJarTest.Cli.pwru(dir, "pwru --filter-func='ip_rcv|udp_rcv' --output-tuple"
				+ " 'udp port 7670'", Map.of("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"))) {
			cli.awaitStderr("Ctrl-C to stop", 900);

			// WHEN a datagram crosses the veth
			assertThat(Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), 7670).send(1)).isEqualTo(1);

			// THEN ip_rcv has its line (udp_rcv too where the kernel did not inline it), and no other
			// function: ip_rcv_core is not ip_rcv
			List<String> lines = cli.awaitStdout(out -> out.stream().anyMatch(l -> l.endsWith(" ip_rcv")), 120);
			assertThat(cli.stderr()).containsPattern("probe points \\([12] kernel functions\\)");
			assertThat(lines).filteredOn(l -> l.startsWith("+")).allMatch(l -> l.contains(":7670 udp"))
					.noneMatch(l -> l.endsWith(" ip_rcv_core") || l.endsWith(" ip_rcv_finish"));
			cli.signal("INT");
			assertThat(cli.waitFor(600)).as("the jar stops on SIGINT: %s", cli.stderr()).isTrue();
			assertThat(Files.readString(cli.stderrFile())).contains(" events written");
		}
	}
}
