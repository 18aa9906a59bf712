package io.tracepackets.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.Backend;
import io.tracepackets.KernelTest;
import io.tracepackets.internal.window.TraceWindow;
import io.tracepackets.testing.VethNamespaces;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Nothing of the tracing is left in the user's namespaces after the run, although a namespace's
 * tracing table is kept between tests: a closing session deletes it, and a JVM that exits without
 * closing its session (a window still open, or closed) deletes it in its shutdown hook.
 */
@KernelTest
class TracingTablesAfterTheRunTest {

	private static final String READY = "ready";

	/**
	 * The child JVM: traces {@code NETNS} with a window, closed ({@code window-closed}) or not
	 * ({@code window-open}), says {@value #READY}, and exits at the next line of its input without
	 * closing anything.
	 */
	public static void main(String[] args) throws Exception {
		TraceSession session = TraceSession.start(TracerOptions.defaults().withBackend(Backend.TRACEPOINT, null));
		TraceWindow window = TraceWindow.open(session, Duration.ofSeconds(3));
		window.scope(Path.of(args[1]));
		if (args[0].equals("window-closed")) {
			window.close();
		}
		System.out.println(READY);
		System.out.flush();
		new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
		System.exit(0);
	}

	@Test
	void a_closing_session_deletes_the_table_it_kept_between_tests() {
		try (VethNamespaces pair = VethNamespaces.create()) {
			long pid = ProcessHandle.current().pid();
			try (TraceSession session = TraceSession.start(TracerOptions.defaults().withBackend(Backend.TRACEPOINT, null))) {
				// GIVEN a test's window that scoped the namespace and closed: its table is kept for the next test
				try (TraceWindow window = TraceWindow.open(session, Duration.ofSeconds(3))) {
					window.scope(pair.leftPath());
				}
				assertThat(tablesOf(pair, pid)).as("the table kept after the window").hasSize(1);
			}
			// WHEN the session closed (above), THEN no table of this JVM is left
			assertThat(tablesOf(pair, pid)).as("tracing tables of this JVM after its session closed").isEmpty();
		}
	}

	@Test
	void a_jvm_that_exits_without_closing_its_session_leaves_no_table() throws Exception {
		try (VethNamespaces shared = VethNamespaces.create()) {
			for (String mode : List.of("window-closed", "window-open")) {
				// GIVEN a JVM that traced the namespace, its table there
				Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
						"--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
						TracingTablesAfterTheRunTest.class.getName(), mode, shared.leftPath().toString())
						.redirectErrorStream(true).start();
				try {
					ChildOutput.awaitLine(child, READY);
					assertThat(tablesOf(shared, child.pid())).as("the child's table (%s)", mode).hasSize(1);

					// WHEN it exits without closing its session
					try (OutputStream in = child.getOutputStream()) {
						in.write('\n');
					}
					assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child JVM exited (%s)", mode).isTrue();
				} finally {
					child.destroyForcibly();
				}

				// THEN its shutdown hook deleted the table
				assertThat(tablesOf(shared, child.pid())).as("tables of the child JVM after it exited (%s)", mode)
						.isEmpty();
			}
		}
	}


	/** The tracing tables of JVM {@code pid} in the left namespace of {@code pair}. */
	private static List<String> tablesOf(VethNamespaces pair, long pid) {
		return pair.execInLeft("nft", "list", "tables", "inet").lines().map(String::strip)
				.filter(l -> l.matches("table inet tracepackets_" + pid + "_[0-9]+(_[0-9]+)?")).toList();
	}
}
