package io.tracepackets.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.Backend;
import io.tracepackets.KernelTest;
import io.tracepackets.internal.libbpf.LibBpf;
import io.tracepackets.internal.window.TraceWindow;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.testing.VxlanOverlay;
import io.tracepackets.traffic.Traffic;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The drill for a JVM killed in the middle of a traced test (SIGKILL: no shutdown hook, no
 * {@code close()}): after the next JVM started, nothing of the killed one is left. Its BPF programs
 * and links go with its file descriptors (the kernel closes them); its {@link VethNamespaces} pair
 * and the four namespaces of its {@link VxlanOverlay} are deleted by the next JVM's first {@code
 * create()}; the nftables tracing table it added to a
 * namespace that outlives it (a container's; here a pair this JVM owns) by the next JVM's first
 * trace session, which sweeps every namespace it can reach, traced or not.
 */
@KernelTest
class KilledJvmDrillTest {

	private static final String TRACING = "tracing";
	private static final String DONE = "done";
	/** libbpf's {@code bpf_link_get_fd_by_id}: a descriptor of the link with that id, negative when there is none. */
	private static final MethodHandle LINK_GET_FD_BY_ID = Linker.nativeLinker().downcallHandle(
			SymbolLookup.libraryLookup("libbpf.so.1", Arena.global()).find("bpf_link_get_fd_by_id").orElseThrow(),
			FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
	private static final MethodHandle CLOSE = Linker.nativeLinker().downcallHandle(
			Linker.nativeLinker().defaultLookup().find("close").orElseThrow(),
			FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

	/**
	 * The child JVMs. {@code traced-test NETNS}: a test in progress, tracing its own pair and
	 * {@code NETNS}; says {@value #TRACING} and waits to be killed. {@code next-start NETNS}: the
	 * next JVM, which makes a pair and traces it (not {@code NETNS}), then closes all and says
	 * {@value #DONE}.
	 */
	public static void main(String[] args) throws Exception {
		Path shared = Path.of(args[1]);
		try (TraceSession session = TraceSession.start(TracerOptions.defaults().withBackend(Backend.TRACEPOINT, null));
				VethNamespaces pair = VethNamespaces.create();
				TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(3))) {
			trace.scope(pair.leftPath()).scope(pair.rightPath());
			if (args[0].equals("traced-test")) {
				VxlanOverlay overlay = VxlanOverlay.create(); // never closed: the kill leaves it
				overlay.paths().forEach(trace::scope);
				trace.scope(shared);
				Traffic.fromNetnsPath(pair.leftPath()).udp().to(pair.rightAddress(), 7900).send(2);
				System.out.println(TRACING);
				System.out.flush();
				Thread.sleep(120_000);
			}
		}
		System.out.println(DONE);
	}

	@Test
	void should_leave_no_program_link_namespace_or_table_of_a_killed_jvm_after_the_next_start() throws Throwable {
		// GIVEN a namespace that outlives the JVMs below, as a container's does
		try (VethNamespaces shared = VethNamespaces.create()) {
			// a JVM in the middle of a traced test, with its programs, links, pair and tracing table
			Process killed = child("traced-test", shared.leftPath());
			long pid = killed.pid();
			Set<Integer> programs;
			Set<Integer> links;
			try {
				ChildOutput.awaitLine(killed, TRACING);
				programs = HeldBpfIds.of(pid, "prog_id");
				links = HeldBpfIds.of(pid, "link_id");
				assertThat(programs).as("the BPF programs the child holds").isNotEmpty();
				assertThat(links).as("the BPF links the child holds").isNotEmpty();
				assertThat(namespacesOf(pid)).as("the child's VethNamespaces pair and VxlanOverlay").hasSize(6);
				assertThat(tablesOf(shared, pid)).as("the child's tracing table in the shared namespace").hasSize(1);

				// WHEN it is killed outright
				killed.destroyForcibly();
				assertThat(killed.waitFor(30, TimeUnit.SECONDS)).as("the child JVM died of SIGKILL").isTrue();
			} finally {
				// a process the test started ends with it, whatever the outcome
				killed.destroyForcibly();
			}

			// AND the next JVM starts, makes a pair and traces it, but not the shared namespace
			Process next = child("next-start", shared.leftPath());
			try {
				ChildOutput.awaitLine(next, DONE);
				assertThat(next.waitFor(60, TimeUnit.SECONDS)).as("the next JVM exited").isTrue();
			} finally {
				next.destroyForcibly();
			}

			// THEN nothing of the killed JVM is left (the kernel frees BPF objects after an RCU grace period)
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
			while (!(existing(programs, links).isEmpty()) && System.nanoTime() < deadline) {
				Thread.sleep(50);
			}
			assertThat(existing(programs, links)).as("BPF programs and links of the killed JVM (pid %d)", pid).isEmpty();
			assertThat(namespacesOf(pid)).as("network namespaces of the killed JVM (pid %d)", pid).isEmpty();
			assertThat(tablesOf(shared, pid)).as("nftables tracing tables of the killed JVM (pid %d)", pid).isEmpty();
		}
	}

	private static Process child(String mode, Path shared) throws IOException {
		String java = ProcessHandle.current().info().command().orElse("java");
		return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
				KilledJvmDrillTest.class.getName(), mode, shared.toString()).redirectErrorStream(true).start();
	}


	/** Which of these program and link ids the kernel still has, as "prog N" / "link N". */
	private static List<String> existing(Set<Integer> programs, Set<Integer> links) throws Throwable {
		List<String> left = new ArrayList<>();
		Set<Integer> loaded = LibBpf.loadedPrograms().keySet();
		programs.stream().filter(loaded::contains).forEach(id -> left.add("prog " + id));
		for (int id : links) {
			int fd = (int) LINK_GET_FD_BY_ID.invokeExact(id);
			if (fd >= 0) {
				left.add("link " + id);
				int ignored = (int) CLOSE.invokeExact(fd);
			}
		}
		return left;
	}

	/** {@code /run/netns} entries named as VethNamespaces (and the fixtures named like it) name those of JVM {@code pid}. */
	private static List<String> namespacesOf(long pid) throws IOException {
		try (Stream<Path> entries = Files.list(Path.of("/run/netns"))) {
			return entries.map(p -> p.getFileName().toString()).filter(n -> n.matches("tp" + pid + "x[0-9]+[a-z]"))
					.toList();
		}
	}

	/** The tracing tables of JVM {@code pid} in the left namespace of {@code pair}. */
	private static List<String> tablesOf(VethNamespaces pair, long pid) {
		return pair.execInLeft("nft", "list", "tables", "inet").lines().map(String::strip)
				.filter(l -> l.matches("table inet tracepackets_" + pid + "_[0-9]+(_[0-9]+)?")).toList();
	}
}
