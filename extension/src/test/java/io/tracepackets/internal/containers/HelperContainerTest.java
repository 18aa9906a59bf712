package io.tracepackets.internal.containers;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.KernelTest;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;

/**
 * The helper container against a real engine, on a target whose image has no tools at all
 * ({@link DistrolessTarget}). The helper must read what this JVM reads through {@code /proc/<pid>}
 * here, where both ways work.
 */
@KernelTest
class HelperContainerTest {

	private static GenericContainer<?> target;
	private static HelperContainer helper;

	@BeforeAll
	static void startDistrolessTarget() throws Exception {
		target = DistrolessTarget.start();
		helper = DistrolessTarget.helper(target);
	}

	@AfterAll
	static void stop() {
		if (target != null) {
			target.stop();
		}
	}

	@Test
	void should_read_the_namespace_and_boot_id_of_a_container_without_tools() throws Exception {
		// GIVEN the engine cannot run readlink in it
		var exec = target.execInContainer("readlink", "/proc/self/ns/net");
		assertThat(exec.getExitCode()).as("readlink in the distroless target: %s", exec).isNotZero();

		// WHEN the engine is asked through the helper
		EngineView view = EngineView.ask(target, "distroless", helper);

		// THEN it is the namespace of the container's process here, on this kernel
		long pid = target.getContainerInfo().getState().getPidLong();
		assertThat(view.netnsInode()).isEqualTo(NetworkNamespace.ofPid(pid).inode());
		assertThat(view.bootId()).isEqualTo(ContainerNamespaces.localBootId());
	}

	@Test
	void should_run_commands_there_with_files_and_stream_their_output() throws Exception {
		assertThat(helper.run(Map.of("/tracepackets/note", "hello\n".getBytes(StandardCharsets.UTF_8)), "cat",
				"/tracepackets/note")).isEqualTo("hello\n");

		List<String> lines = new CopyOnWriteArrayList<>();
		try (Closeable stream = helper.stream("ready", lines::add, "sh", "-c", "echo before; echo ready; echo after; sleep 30")) {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			while (!lines.contains("after") && System.nanoTime() < deadline) {
				Thread.sleep(20);
			}
		}
		assertThat(lines).containsExactly("before", "after");
	}

	@Test
	void should_fail_with_the_command_and_its_error() {
		org.assertj.core.api.Assertions.assertThatThrownBy(() -> helper.run(Map.of(), "sh", "-c", "echo nope >&2; exit 3"))
				.hasMessageContaining("sh -c echo nope >&2; exit 3 in container distroless (through a helper container")
				.hasMessageContaining("failed (exit 3): nope");
	}
}
