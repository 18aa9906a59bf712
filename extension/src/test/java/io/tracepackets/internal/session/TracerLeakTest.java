package io.tracepackets.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.KernelTest;
import io.tracepackets.internal.libbpf.LibBpf;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Nothing leaks: links are owned by file descriptors and never pinned, so when a JVM that traces
 * is killed with SIGKILL (no shutdown hook, no close), the kernel unloads its programs.
 */
@KernelTest
class TracerLeakTest {

	/** Runs in a child JVM: starts a tracer, says so, and waits to be killed. */
	public static void main(String[] args) throws Exception {
		TraceSession.start(TracerOptions.defaults().withBackend(io.tracepackets.Backend.TRACEPOINT, null));
		System.out.println("tracing");
		System.out.flush();
		Thread.sleep(60_000);
	}

	@Test
	void should_leave_no_program_behind_when_the_jvm_is_killed() throws Exception {
		// GIVEN the flush-marker programs loaded before (other tracers, of this JVM or others, may hold some)
		Set<Integer> before = markers();
		String java = ProcessHandle.current().info().command().orElse("java");
		Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
				System.getProperty("java.class.path"), TracerLeakTest.class.getName()).redirectErrorStream(true).start();
		Set<Integer> childs = new TreeSet<>();
		try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = out.readLine()) != null && !line.equals("tracing")) {
				// the child's log
			}
			assertThat(line).as("the child JVM started tracing").isEqualTo("tracing");
			childs.addAll(markers());
			childs.removeAll(before);
			assertThat(childs).as("the child's programs are loaded").isNotEmpty();

			// WHEN it is killed outright
			child.destroyForcibly();
			assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
		} finally {
			// a process the test started ends with it, whatever the outcome
			child.destroyForcibly();
		}

		// THEN its programs are gone (the kernel frees them after an RCU grace period)
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (!Collections.disjoint(markers(), childs) && System.nanoTime() < deadline) {
			Thread.sleep(50);
		}
		assertThat(markers()).as("programs left by the killed JVM").doesNotContainAnyElementsOf(childs);
	}

	/** The ids of the flush-marker programs loaded now: one per tracer. */
	private static Set<Integer> markers() {
		Set<Integer> ids = new TreeSet<>();
		LibBpf.loadedPrograms().forEach((id, name) -> {
			if (name.equals(ProbeObject.MARKER_PROGRAM)) {
				ids.add(id);
			}
		});
		return ids;
	}
}
