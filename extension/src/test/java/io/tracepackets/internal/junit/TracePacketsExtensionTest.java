package io.tracepackets.internal.junit;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.tracepackets.Backend;
import io.tracepackets.DropReason;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;
import org.junit.platform.engine.TestExecutionResult;

/**
 * {@code @TracePackets} as JUnit runs it, on the live kernel: injection and scoping, configuration
 * errors, and what happens when the kernel refuses what a test asks for (skip, or fail in strict
 * mode). The classes under test are nested and run through the engine test kit.
 */
@KernelTest
class TracePacketsExtensionTest {

	/** Kernels built with kprobes (Debian's, Ubuntu's, GitHub's runners) have function backends. */
	private static final boolean KERNEL_HAS_KPROBES = kernelHasKprobes();

	private static boolean kernelHasKprobes() {
		try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/kallsyms"))) {
			return lines.anyMatch(line -> line.endsWith(" register_kprobe"));
		} catch (java.io.IOException e) {
			return false;
		}
	}

	@TracePackets(hostNetwork = true, backend = Backend.TRACEPOINT)
	static class HostScoped {
		@Test
		void sees_its_own_datagrams_dropped_on_loopback(PacketTrace trace) throws Exception {
			try (DatagramSocket socket = new DatagramSocket()) {
				for (int i = 0; i < 3; i++) {
					socket.send(new DatagramPacket(new byte[8], 8, new InetSocketAddress("127.0.0.1", 9411)));
				}
			}
			assertThat(trace).packets(udp().dstPort(9411)).hasCount(3).wereDropped()
					.withReason(DropReason.NO_SOCKET);
		}
	}

	@TracePackets(containers = "missing")
	static class MisnamedContainer {
		@Test
		void never_runs(PacketTrace trace) {
		}
	}

	@TracePackets(functions = "^no_such_function_anywhere$")
	static class FunctionsMatchingNothing {
		@Test
		void never_runs(PacketTrace trace) {
		}
	}

	@TracePackets(filter = "udp dst prot 53")
	static class MisspelledFilter {
		@Test
		void never_runs(PacketTrace trace) {
		}
	}

	@TracePackets(hostNetwork = true, backend = Backend.TRACEPOINT, filter = "udp dst port 9414")
	static class FiltersInTheKernel {
		@Test
		void traces_only_what_the_filter_matches(PacketTrace trace) throws Exception {
			try (DatagramSocket socket = new DatagramSocket()) {
				for (int port : new int[] { 9414, 9415, 9414, 9415, 9415 }) {
					socket.send(new DatagramPacket(new byte[8], 8, new InetSocketAddress("127.0.0.1", port)));
				}
			}
			assertThat(trace).packets(udp().dstPort(9414)).hasCount(2).wereDropped().withReason(DropReason.NO_SOCKET);
			trace.flush();
			assertThat(trace.events()).isNotEmpty().allMatch(e -> e.destinationPort() == 9414);
		}
	}

	@TracePackets(backend = Backend.FENTRY, functions = "^ip_rcv$")
	static class WantsFentry {
		@Test
		void runs_only_where_fentry_attaches(PacketTrace trace) {
			assertThat(trace.probes().backend()).isEqualTo("fentry");
		}
	}

	@TracePackets(hostNetwork = true, functions = "^ip_output$")
	static class AssertsOnIpOutput {
		@Test
		void a_loopback_datagram_reached_ip_output(PacketTrace trace) throws Exception {
			try (DatagramSocket socket = new DatagramSocket()) {
				socket.send(new DatagramPacket(new byte[8], 8, new InetSocketAddress("127.0.0.1", 9412)));
			}
			assertThat(trace).packets(udp().dstPort(9412)).reached("ip_output");
		}
	}

	@TracePackets(hostNetwork = true, backend = Backend.TRACEPOINT)
	static class MisspellsAFunction {
		@Test
		void asks_for_ip_ouput(PacketTrace trace) throws Exception {
			try (DatagramSocket socket = new DatagramSocket()) {
				socket.send(new DatagramPacket(new byte[8], 8, new InetSocketAddress("127.0.0.1", 9413)));
			}
			assertThat(trace).packets(udp().dstPort(9413)).reached("ip_ouput");
		}
	}

	@Test
	void should_skip_an_assertion_on_a_function_the_backend_cannot_see_and_fail_it_in_strict_mode() {
		Events relaxed = run(AssertsOnIpOutput.class, false);
		if (KERNEL_HAS_KPROBES) {
			// a function backend attaches: ip_output must be seen for real
			relaxed.assertStatistics(stats -> stats.started(1).succeeded(1));
		} else {
			assertThat(relaxed.aborted().stream().map(TracePacketsExtensionTest::reason)).singleElement().asString()
					.contains("ip_output unavailable: it is a kernel function, but the tracepoint backend does not see it")
					.contains("kprobe refused");
			failure(run(AssertsOnIpOutput.class, true), message -> assertThat(message)
					.contains("ip_output unavailable: it is a kernel function, but the tracepoint backend does not see it")
					.contains("[strict mode"));
		}
	}

	/**
	 * Flush-marker programs this JVM holds now, one per live session; each test class records what
	 * it saw. Only this process's: other tracers on the machine (a CI job beside this one) load
	 * theirs too.
	 */
	static final java.util.List<Long> SESSIONS_SEEN = new java.util.concurrent.CopyOnWriteArrayList<>();

	static long liveSessions() {
		java.util.Map<Integer, String> loaded = io.tracepackets.internal.libbpf.LibBpf.loadedPrograms();
		try {
			return io.tracepackets.internal.session.HeldBpfIds.of(ProcessHandle.current().pid(), "prog_id").stream()
					.filter(id -> "emit_marker".equals(loaded.get(id))).count();
		} catch (java.io.IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
	}

	@TracePackets(backend = Backend.TRACEPOINT)
	static class FirstConfiguration {
		@Test
		void traces(PacketTrace trace) {
			SESSIONS_SEEN.add(liveSessions());
		}
	}

	@TracePackets(hostNetwork = true)
	static class SecondConfiguration {
		@Test
		void traces(PacketTrace trace) {
			SESSIONS_SEEN.add(liveSessions());
		}
	}

	@Test
	void should_close_an_idle_configurations_session_before_starting_another() {
		// GIVEN a run with two test classes whose configurations differ (backend TRACEPOINT, AUTO)
		SESSIONS_SEEN.clear();

		// WHEN they run one after the other
		EngineTestKit.engine("junit-jupiter")
				.selectors(selectClass(FirstConfiguration.class), selectClass(SecondConfiguration.class)).execute()
				.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));

		// THEN the second found the first's probes gone: never two sessions' probes at once
		// (other sessions this JVM's earlier test classes left open count in both alike)
		assertThat(SESSIONS_SEEN).hasSize(2);
		assertThat(SESSIONS_SEEN.get(0)).isPositive();
		assertThat(SESSIONS_SEEN.get(1)).isEqualTo(SESSIONS_SEEN.get(0));
	}

	@TracePackets(hostNetwork = true, backend = Backend.TRACEPOINT)
	static class FailsOnADatagram {
		@Test
		void expects_a_drop_that_does_not_happen(PacketTrace trace) throws Exception {
			try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
				socket.send(new DatagramPacket(new byte[8], 8, socket.getLocalSocketAddress()));
			}
			assertThat(trace).packets(udp().dstPort(9999)).wereDropped();
		}
	}

	@TracePackets(hostNetwork = true, backend = Backend.TRACEPOINT, artifacts = io.tracepackets.Artifacts.ALWAYS,
			snapLength = 128)
	static class PassesWithArtifactsAlways {
		@Test
		void sends_a_datagram(PacketTrace trace) throws Exception {
			try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
				socket.send(new DatagramPacket(new byte[8], 8, socket.getLocalSocketAddress()));
			}
			assertThat(trace).packets(udp()).reached("netif_receive_skb");
		}
	}

	@Test
	void should_leave_the_trace_of_a_failed_test_beside_its_report_and_name_it(@org.junit.jupiter.api.io.TempDir
			java.nio.file.Path output) throws Exception {
		// WHEN a traced test fails
		Events events = EngineTestKit.engine("junit-jupiter").outputDirectoryCreator(OutputDirectories.under(output))
				.selectors(selectClass(FailsOnADatagram.class)).execute().testEvents();

		// THEN its failure names a JSON-lines file of its trace, which holds the trace
		String message = events.failed().stream().map(TracePacketsExtensionTest::reason).findFirst().orElseThrow();
		assertThat(message).contains("Expecting packets matching:").contains("The trace, one event per line: ");
		java.nio.file.Path file = java.nio.file.Path.of(message.substring(message.lastIndexOf(": ") + 2).strip());
		assertThat(file).exists().startsWith(output);
		java.util.List<String> lines = java.nio.file.Files.readAllLines(file);
		assertThat(lines.getFirst()).startsWith("{\"schema\":1,");
		assertThat(lines).anyMatch(line -> line.contains("\"where\":\"netif_receive_skb\"") && line.contains("\"proto\":\"udp\""));
		// and a pcapng file beside it, without packet bytes (the test asked for none): one frame per event
		// that is a packet, its headers rebuilt from the traced tuple, so Wireshark shows the datagram
		java.util.regex.Matcher pcapng = java.util.regex.Pattern.compile("The trace for Wireshark \\(pcapng\\): (\\S+)")
				.matcher(message);
		assertThat(pcapng.find()).as(message).isTrue();
		java.nio.file.Path capture = java.nio.file.Path.of(pcapng.group(1));
		assertThat(capture).exists().hasParent(file.getParent()).hasFileName("trace-expects_a_drop_that_does_not_happen.pcapng");
		assertThat(io.tracepackets.internal.evidence.PcapngKernelTest.tshark(capture, "-T", "fields", "-e", "frame.comment"))
				.hasSize((int) lines.stream().filter(line -> line.contains("\"ip_version\":")).count())
				.anyMatch(comment -> comment.startsWith("netif_receive_skb (tracepoint) task ")
						&& comment.endsWith("(headers rebuilt from the traced tuple: no packet bytes captured)"));
		assertThat(io.tracepackets.internal.evidence.PcapngKernelTest.tshark(capture, "-Y", "udp && !_ws.malformed",
				"-T", "fields", "-e", "ip.proto")).isNotEmpty().allMatch("17"::equals);
	}

	@Test
	void should_leave_the_trace_of_a_passing_test_only_when_asked() throws Exception {
		java.nio.file.Path output = java.nio.file.Files.createTempDirectory("tracepackets-artifacts");
		try {
			// WHEN one passing test asks for its trace always and a failing one never runs
			EngineTestKit.engine("junit-jupiter").outputDirectoryCreator(OutputDirectories.under(output))
					.selectors(selectClass(PassesWithArtifactsAlways.class)).execute().testEvents()
					.assertStatistics(stats -> stats.succeeded(1));

			// THEN its files are there, the pcapng with the datagram's bytes (snapLength = 128)
			try (var files = java.nio.file.Files.walk(output)) {
				assertThat(files.filter(f -> f.getFileName().toString().equals("trace-sends_a_datagram.jsonl")))
						.hasSize(1);
			}
			java.nio.file.Path capture;
			try (var files = java.nio.file.Files.walk(output)) {
				capture = files.filter(f -> f.getFileName().toString().equals("trace-sends_a_datagram.pcapng"))
						.findFirst().orElseThrow();
			}
			assertThat(io.tracepackets.internal.evidence.PcapngKernelTest.tshark(capture, "-Y",
					"udp && frame.comment contains \"netif_receive_skb\"", "-T", "fields", "-e", "ip.dst"))
					.containsExactly("127.0.0.1");
		} finally {
			try (var files = java.nio.file.Files.walk(output)) {
				files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
			}
		}
	}

	@Test
	void should_suggest_the_nearest_kernel_names_for_a_misspelled_function() {
		failure(run(MisspellsAFunction.class, true), message -> assertThat(message)
				.contains("the running kernel has none called:" + System.lineSeparator() + "  ip_ouput")
				.contains("Did you mean:" + System.lineSeparator() + "  ip_output"));
	}

	@Test
	void should_inject_a_trace_scoped_to_the_host_network() {
		Events tests = run(HostScoped.class, false);
		tests.assertStatistics(stats -> stats.started(1).succeeded(1));
	}

	@Test
	void should_name_a_missing_container_field() {
		failure(run(MisnamedContainer.class, false), message -> assertThat(message)
				.contains("@TracePackets(containers = [missing]): no such field")
				.contains(MisnamedContainer.class.getName()));
	}

	@Test
	void should_fail_a_filter_libpcap_refuses_with_its_message_and_the_expression() {
		failure(run(MisspelledFilter.class, false), message -> assertThat(message)
				.contains("pcap filter \"udp dst prot 53\" does not compile: unknown host 'prot'")
				.contains(MisspelledFilter.class.getName()));
	}

	@Test
	void should_trace_only_the_packets_the_annotations_filter_matches() {
		run(FiltersInTheKernel.class, true).assertStatistics(stats -> stats.started(1).succeeded(1));
	}

	@Test
	void should_reject_a_functions_regex_that_matches_no_skb_function() {
		failure(run(FunctionsMatchingNothing.class, false), message -> assertThat(message)
				.contains("functions = \"^no_such_function_anywhere$\" matches no probeable skb function"));
	}

	@Test
	void should_skip_when_the_kernel_refuses_the_backend_and_fail_in_strict_mode() {
		Events relaxed = run(WantsFentry.class, false);
		if (KERNEL_HAS_KPROBES) {
			// kernels built with kprobes (Debian's, Ubuntu's) also take fentry: it must attach
			relaxed.assertStatistics(stats -> stats.started(1).succeeded(1));
		} else {
			assertThat(relaxed.aborted().stream().map(TracePacketsExtensionTest::reason))
					.singleElement().asString().contains("fentry backend unavailable");
			failure(run(WantsFentry.class, true), message -> assertThat(message)
					.contains("fentry backend unavailable").contains("[strict mode"));
		}
	}

	@Test
	void should_log_a_skipped_tests_reason_once_on_the_console() {
		// WHEN a test that cannot trace here runs, not in strict mode (slf4j-simple logs to System.err)
		java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
		java.io.PrintStream before = System.err;
		System.setErr(new java.io.PrintStream(console, true, java.nio.charset.StandardCharsets.UTF_8));
		Events relaxed;
		try {
			relaxed = run(WantsFentry.class, false);
		} finally {
			System.setErr(before);
		}

		// THEN where it was skipped, one WARN line names the test and the reason
		java.util.List<String> skipLines = console.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
				.filter(line -> line.contains("skipped WantsFentry.runs_only_where_fentry_attaches")).toList();
		if (KERNEL_HAS_KPROBES) {
			relaxed.assertStatistics(stats -> stats.succeeded(1));
			assertThat(skipLines).isEmpty();
		} else {
			relaxed.assertStatistics(stats -> stats.aborted(1));
			assertThat(skipLines).singleElement().asString().contains("WARN")
					.contains("TracePackets cannot trace here: ").contains("fentry backend unavailable")
					.contains("tracepackets.strict=true");
		}
	}

	@TracePackets(containers = "missing")
	static class MethodOverridesClass {
		@Test
		@TracePackets(hostNetwork = true, backend = Backend.TRACEPOINT)
		void traces_the_host_as_its_own_annotation_says(PacketTrace trace) {
		}

		@Test
		void takes_the_class_annotation(PacketTrace trace) {
		}
	}

	@Test
	void should_take_a_methods_own_annotation_over_its_classs_and_the_classs_for_the_others() {
		// GIVEN a class whose annotation names no field, and a method annotated on its own
		Events tests = run(MethodOverridesClass.class, false);

		// THEN the method's settings are its own; the class's settings are the other method's
		tests.assertStatistics(stats -> stats.started(2).succeeded(1).failed(1));
		failure(tests, message -> assertThat(message).contains("@TracePackets(containers = [missing]): no such field"));
	}

	@Test
	void should_read_a_setting_from_a_junit_configuration_parameter() {
		// GIVEN a configuration parameter given to the launcher, not a system property
		Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(HostScoped.class))
				.configurationParameter(TracePackets.STACKS_PROPERTY, "some").execute().testEvents();

		// THEN it is read, and a value it cannot take fails the test naming key and value
		failure(tests, message -> assertThat(message)
				.isEqualTo("tracepackets.stacks=some is not one of: netfilter (the default), all"));
	}

	private static Events run(Class<?> testClass, boolean strict) {
		String before = System.getProperty(TracePackets.STRICT_PROPERTY);
		System.setProperty(TracePackets.STRICT_PROPERTY, Boolean.toString(strict));
		try {
			return EngineTestKit.engine("junit-jupiter").selectors(selectClass(testClass)).execute().testEvents();
		} finally {
			if (before == null) {
				System.clearProperty(TracePackets.STRICT_PROPERTY);
			} else {
				System.setProperty(TracePackets.STRICT_PROPERTY, before);
			}
		}
	}

	private static void failure(Events tests, Consumer<String> check) {
		assertThat(tests.failed().stream().map(TracePacketsExtensionTest::reason)).singleElement()
				.satisfies(message -> check.accept((String) message));
	}

	private static String reason(Event event) {
		return event.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable)
				.map(Throwable::getMessage).orElse("");
	}
}
