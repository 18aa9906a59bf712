package io.tracepackets.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.KernelTest;
import io.tracepackets.TracingUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A JVM whose descriptor limit cannot hold the probes gets one clear message before anything is
 * attached, not EMFILE halfway through: run in a child JVM whose hard limit is 150.
 */
@KernelTest
class DescriptorLimitKernelTest {

	/** Runs in the child JVM: starts a session and prints why it could not. */
	public static void main(String[] args) {
		try (TraceSession session = TraceSession.start(TracerOptions.defaults())) {
			System.out.println("started");
		} catch (TracingUnavailableException e) {
			System.out.println("unavailable: " + e.getMessage());
		}
	}

	@Test
	void should_say_how_many_descriptors_are_needed_when_the_limit_is_too_low() throws IOException, InterruptedException {
		// GIVEN a child JVM that may open 150 descriptors, hard limit included
		String java = ProcessHandle.current().info().command().orElse("java");
		Process child = new ProcessBuilder("prlimit", "--nofile=150:150", java, "--enable-native-access=ALL-UNNAMED",
				"-cp", System.getProperty("java.class.path"), DescriptorLimitKernelTest.class.getName())
				.redirectErrorStream(true).start();

		// WHEN it starts a session
		String output;
		try {
			output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
		} finally {
			// a process the test started ends with it, whatever the outcome
			child.destroyForcibly();
		}

		// THEN it is told, with the numbers and the fix, before any probe is attached
		assertThat(output).contains("unavailable: file descriptors unavailable: the ")
				.contains("file descriptors for ").contains("this process may open 150 (hard limit 150)")
				.contains("ulimit -n ").doesNotContain("started");
	}
}
