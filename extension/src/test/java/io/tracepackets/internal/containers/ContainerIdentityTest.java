package io.tracepackets.internal.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a container's namespace is identified where the engine's pid may mean nothing: the proof by
 * cgroup, the engine's answer, and the refusal of an engine on another kernel.
 */
class ContainerIdentityTest {

	private static final String ID = "3481ef82500c" + "a".repeat(52);
	private static final String OTHER_ID = "a9b2986b9616" + "b".repeat(52);
	private static final String BOOT_ID = "6c1f2a4e-55d0-4b8e-9c61-0a9e3f5d7b21";
	private static final String OTHER_BOOT_ID = "0d9e8f7a-1b2c-4d3e-8f4a-5b6c7d8e9f01";

	@TempDir
	Path proc;

	@Test
	void should_name_the_container_in_cgroup_v1_and_v2_paths() {
		assertThat(ContainerProcess.inCgroupOf("12:pids:/docker/" + ID + "\n11:memory:/docker/" + ID + "\n", ID))
				.isTrue();
		assertThat(ContainerProcess.inCgroupOf("0::/system.slice/docker-" + ID + ".scope\n", ID)).isTrue();
		// A private cgroup namespace shows paths relative to its own root.
		assertThat(ContainerProcess.inCgroupOf("0::/../docker-" + ID + ".scope\n", ID)).isTrue();
	}

	@Test
	void should_not_name_the_container_for_another_container_the_host_or_a_short_id() {
		assertThat(ContainerProcess.inCgroupOf("12:pids:/docker/" + OTHER_ID + "\n", ID)).isFalse();
		assertThat(ContainerProcess.inCgroupOf("0::/user.slice/session-3.scope\n0::/\n", ID)).isFalse();
		// The id in the hierarchy's name, not in the path, proves nothing.
		assertThat(ContainerProcess.inCgroupOf("3:" + ID + ":/\n", ID)).isFalse();
		assertThat(ContainerProcess.inCgroupOf("12:pids:/docker/3481ef82500c\n", "3481ef82500c")).isFalse();
	}

	@Test
	void should_use_a_pid_whose_cgroup_names_the_container() throws IOException {
		// GIVEN a process 42 in the container's cgroup, whose namespace is this JVM's own
		process(42, "12:pids:/docker/" + ID + "\n");

		// THEN its namespace is the container's
		assertThat(ContainerProcess.namespace(proc, 42, ID, "container web (pid 42)"))
				.hasValueSatisfying(netns -> {
					assertThat(netns.inode()).isEqualTo(NetworkNamespace.currentThreadInode());
					assertThat(netns.label()).isEqualTo("container web (pid 42)");
					assertThat(netns.reachable()).isTrue();
				});
	}

	@Test
	void should_not_use_a_pid_that_is_another_process_here() throws IOException {
		// GIVEN pid 42 here is a process of another container, and pid 43 is none
		process(42, "12:pids:/docker/" + OTHER_ID + "\n");

		assertThat(ContainerProcess.namespace(proc, 42, ID, "container web (pid 42)")).isEmpty();
		assertThat(ContainerProcess.namespace(proc, 43, ID, "container web (pid 43)")).isEmpty();
	}

	@Test
	void should_parse_the_engines_answers() {
		EngineView view = EngineView.parse("net:[4026532253]\n", BOOT_ID + "\n", "web (3481ef82500c)");

		assertThat(view).isEqualTo(new EngineView(4026532253L, BOOT_ID));
	}

	@Test
	void should_refuse_answers_that_are_not_the_kernels() {
		assertThatThrownBy(() -> EngineView.parse("readlink: not found", BOOT_ID, "web (3481ef82500c)"))
				.isInstanceOf(TracingUnavailableException.class)
				.hasMessageContaining("the network namespace of container web (3481ef82500c) unavailable:")
				.hasMessageContaining("readlink /proc/self/ns/net gave 'readlink: not found'");
	}

	@Test
	void should_refuse_an_engine_on_another_kernel() {
		// GIVEN the engine's container runs on a kernel with another boot id
		EngineView view = new EngineView(4026532253L, OTHER_BOOT_ID);

		// THEN the namespace is refused, saying where the engine is and what would make tracing possible
		assertThatThrownBy(() -> ContainerNamespaces.identify(view, BOOT_ID, "web (3481ef82500c)", 95, null))
				.isInstanceOf(TracingUnavailableException.class)
				.hasMessage("the network namespace of container web (3481ef82500c) unavailable: its engine runs on"
						+ " another machine or kernel (the container's kernel boot id is " + OTHER_BOOT_ID
						+ ", this JVM's is " + BOOT_ID + "), and eBPF sees only the kernel this JVM runs on: run the"
						+ " tests on the engine's machine, with DOCKER_HOST pointing at an engine on this kernel (the"
						+ " host's socket, or Docker-in-Docker on this machine)");
	}

	@Test
	void should_scope_by_inode_and_say_why_a_namespace_nothing_here_leads_to_cannot_be_entered() {
		// GIVEN an engine on this kernel whose namespace no process or mount of this JVM holds
		EngineView view = new EngineView(1L, BOOT_ID);

		NetworkNamespace netns = ContainerNamespaces.identify(view, BOOT_ID, "web (3481ef82500c)", 95,
				"/nonexistent/netns/0123");

		assertThat(netns.inode()).isEqualTo(1L);
		assertThat(netns.reachable()).isFalse();
		assertThat(netns.label()).isEqualTo("container web (3481ef82500c) (pid 95 in the engine's pid namespace)");
		assertThatThrownBy(netns::path)
				.isInstanceOf(TracingUnavailableException.class)
				.hasMessageStartingWith("entering the network namespace of container web (3481ef82500c) (pid 95 in"
						+ " the engine's pid namespace) unavailable: this JVM cannot enter the network namespace of"
						+ " container web (3481ef82500c) (inode 1): the engine's pid 95 is not a process of this JVM's"
						+ " pid namespace, and neither /nonexistent/netns/0123 nor any process here leads to it");
	}

	@Test
	void should_enter_through_the_engines_bind_mount_when_it_leads_to_the_namespace() {
		// GIVEN the engine's sandbox key (here: this JVM's own namespace file) holds the inode
		long inode = NetworkNamespace.currentThreadInode();

		NetworkNamespace netns = ContainerNamespaces.identify(new EngineView(inode, BOOT_ID), BOOT_ID,
				"web (3481ef82500c)", 95, "/proc/self/ns/net");

		assertThat(netns.reachable()).isTrue();
		assertThat(netns.path()).isEqualTo(Path.of("/proc/self/ns/net"));
	}

	private void process(long pid, String cgroup) throws IOException {
		Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
		Files.writeString(dir.resolve("cgroup"), cgroup);
		Files.writeString(dir.resolve("stat"),
				pid + " (sh) S 1 1 1 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 123456 2277376 200 18446744073709551615"
						+ " 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
		Files.createDirectories(dir.resolve("ns"));
		Files.createSymbolicLink(dir.resolve("ns/net"), Path.of("/proc/self/ns/net"));
	}
}
