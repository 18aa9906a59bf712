package io.tracepackets.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar, run as a person runs it ({@code java -jar tracepackets-cli.jar ...}, no Maven on
 * its class path), tracing real datagrams between two namespaces joined by a veth; stopped with
 * SIGINT as Ctrl-C stops it. Needs root: skipped without it, failed in strict mode.
 */
class CliJarTest {

	private static final Path JAR = Path.of(System.getProperty("tracepackets.cli.jar", "target/tracepackets-cli.jar"));
	private static VethNamespaces veth;

	@TempDir
	Path dir;

	@BeforeAll
	static void namespaces() throws Exception {
		boolean strict = Boolean.getBoolean("tracepackets.strict") || "true".equals(System.getenv("CI"));
		boolean root = new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes(),
				StandardCharsets.US_ASCII).strip().equals("0");
		if (strict) {
			assertThat(root).as("the command line traces with BPF: run the tests as root").isTrue();
		}
		assumeThat(root).as("root (BPF, network namespaces)").isTrue();
		assertThat(JAR).as("the shaded jar, built in package before these tests run").exists();
		veth = VethNamespaces.create();
	}

	@AfterAll
	static void cleanUp() {
		if (veth != null) {
			veth.close();
		}
	}

	@Test
	void should_print_pwru_lines_for_the_traced_namespace_and_a_summary_on_ctrl_c() throws Exception {
		// GIVEN the jar tracing the right namespace, ready once its ready file exists
		Path ready = dir.resolve("ready");
		Cli cli = Cli.start(dir, "--netns", veth.rightPath().toString(), "--ready-file", ready.toString());
		cli.awaitFile(ready);

		// WHEN 3 datagrams reach a port where nothing listens, then Ctrl-C
		send(7600, 3);
		List<String> lines = cli.awaitStdout(out -> out.stream().filter(l -> l.contains(":7600 udp")
				&& l.contains("kfree_skb NO_SOCKET")).count() == 3);
		String summary = cli.interrupt();

		// THEN a header, one line per event in pwru's columns, and how many events and losses
		assertThat(lines.getFirst()).startsWith("TIME ").contains("SKB", "NETNS", "IFACE", "TUPLE", "WHERE");
		assertThat(lines).filteredOn(l -> l.contains(":7600 udp")).allMatch(l -> l.startsWith("+"))
				.allMatch(l -> l.contains(" " + veth.rightInode() + " ")).anyMatch(l -> l.endsWith(" netif_receive_skb"))
				.anyMatch(l -> l.contains(veth.rightInterface() + "("));
		assertThat(cli.stderr()).contains("tracepackets: tracing netns " + veth.rightInode() + " ("
				+ veth.rightPath() + ") with the ");
		assertThat(summary).containsPattern("tracepackets: \\d+ events written, \\d+ traced, \\d+ lost");
		assertThat(cli.exitCode()).as("stopped by SIGINT, as every program Ctrl-C stops").isEqualTo(130);
	}

	@Test
	void should_write_json_lines_to_a_file() throws Exception {
		// GIVEN JSON output into a file
		Path out = dir.resolve("trace.jsonl");
		Path ready = dir.resolve("ready");
		Cli cli = Cli.start(dir, "--netns", veth.rightPath().toString(), "--output", "json", "--output-file",
				out.toString(), "--ready-file", ready.toString());
		cli.awaitFile(ready);

		// WHEN 2 datagrams are dropped for want of a socket, then Ctrl-C
		send(7601, 2);
		Thread.sleep(1500);
		String summary = cli.interrupt();

		// THEN each event is a JSON object of the documented schema, the drops among them
		List<String> json = Files.readAllLines(out);
		assertThat(json).isNotEmpty().allMatch(l -> l.startsWith("{\"ts_ns\":") && l.endsWith("}"))
				.allMatch(l -> l.contains("\"netns\":" + veth.rightInode()));
		assertThat(json).filteredOn(l -> l.contains("\"where\":\"kfree_skb\"") && l.contains("\"dport\":7601"))
				.hasSize(2).allMatch(l -> l.contains("\"drop_reason\":\"NO_SOCKET\""));
		assertThat(summary).contains(json.size() + " events written").contains("output in " + out);
	}

	@Test
	void should_stop_by_itself_at_the_limit() throws Exception {
		// GIVEN at most 2 events
		Path ready = dir.resolve("ready");
		Cli cli = Cli.start(dir, "--netns", veth.rightPath().toString(), "--limit", "2", "--ready-file",
				ready.toString());
		cli.awaitFile(ready);

		// WHEN datagrams make more
		send(7603, 2);

		// THEN the jar exits on its own, after a header and 2 lines
		assertThat(cli.process.waitFor(30, TimeUnit.SECONDS)).as(cli.stderr()).isTrue();
		assertThat(cli.exitCode()).isZero();
		assertThat(Files.readAllLines(cli.stdout())).hasSize(3);
		assertThat(cli.stderr()).contains("2 events written (--limit 2 reached)");
	}

	@Test
	void should_write_pcapng_that_tshark_reads_with_the_packets_and_a_comment_per_event() throws Exception {
		// GIVEN pcapng output (128 bytes per packet by default)
		Path out = dir.resolve("trace.pcapng");
		Path ready = dir.resolve("ready");
		Cli cli = Cli.start(dir, "--netns", veth.rightPath().toString(), "--output", "pcapng", "--output-file",
				out.toString(), "--ready-file", ready.toString());
		cli.awaitFile(ready);

		// WHEN 2 datagrams are dropped for want of a socket, then Ctrl-C
		send(7602, 2);
		Thread.sleep(1500);
		cli.interrupt();

		// THEN tshark decodes the datagrams, and each drop's comment names it
		List<String> rows = tshark(out, "-Y", "udp.dstport == 7602 && !icmp", "-T", "fields", "-E", "separator=|",
				"-e", "ip.dst", "-e", "frame.comment");
		assertThat(rows).isNotEmpty().allMatch(r -> r.startsWith(veth.rightAddress() + "|"));
		assertThat(rows).filteredOn(r -> r.contains("|kfree_skb (tracepoint) netns " + veth.rightInode()))
				.hasSize(2).allMatch(r -> r.contains(" drop NO_SOCKET (lost) at "));
		assertThat(rows).anyMatch(r -> r.contains("|netif_receive_skb (tracepoint) netns " + veth.rightInode()
				+ " dev " + veth.rightInterface() + " skb 0x"));
	}

	@Test
	void should_refuse_bad_input_with_what_to_write_instead() throws Exception {
		Cli badOutput = Cli.start(dir, "--output", "xml");
		assertThat(badOutput.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(badOutput.exitCode()).isEqualTo(2);
		assertThat(badOutput.stderr()).contains("tracepackets: --output xml: use text, json or pcapng")
				.contains("--help");

		Cli noSuchNetns = Cli.start(dir, "--netns", "/run/netns/tracepackets-no-such-netns");
		assertThat(noSuchNetns.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(noSuchNetns.exitCode()).isEqualTo(2);
		assertThat(noSuchNetns.stderr()).contains("--netns /run/netns/tracepackets-no-such-netns: no such file;");
	}

	private static void send(int port, int count) {
		assertThat(Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), port).send(count))
				.isEqualTo(count);
	}

	static List<String> tshark(Path file, String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString()));
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as("tshark %s: %s", command, err).isZero();
		return out.lines().toList();
	}

	/** The jar as a process, its standard output and error in files read while it runs. */
	private record Cli(Process process, Path stdout, Path stderrFile) {

		static Cli start(Path dir, String... args) throws IOException {
			Path stdout = Files.createTempFile(dir, "stdout", ".txt");
			Path stderr = Files.createTempFile(dir, "stderr", ".txt");
			List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
					.toString(), "-jar", JAR.toAbsolutePath().toString()));
			command.addAll(List.of(args));
			Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile())
					.redirectError(stderr.toFile()).start();
			return new Cli(process, stdout, stderr);
		}

		void awaitFile(Path file) throws Exception {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
			while (!Files.exists(file)) {
				assertThat(process.isAlive()).as("the jar exited before it was ready: %s", stderr()).isTrue();
				assertThat(System.nanoTime()).as("ready within 90 s: %s", stderr()).isLessThan(deadline);
				Thread.sleep(100);
			}
		}

		List<String> awaitStdout(Predicate<List<String>> condition) throws Exception {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
			List<String> lines = Files.readAllLines(stdout);
			while (!condition.test(lines)) {
				assertThat(System.nanoTime()).as("output so far:%n%s%nerrors:%n%s", String.join("\n", lines), stderr())
						.isLessThan(deadline);
				Thread.sleep(200);
				lines = Files.readAllLines(stdout);
			}
			return lines;
		}

		/** Ctrl-C: SIGINT, then the exit; returns standard error. */
		String interrupt() throws Exception {
			Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start();
			assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
			assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the jar stops on SIGINT: %s", stderr()).isTrue();
			return stderr();
		}

		int exitCode() {
			return process.exitValue();
		}

		String stderr() {
			try {
				return Files.readString(stderrFile);
			} catch (IOException e) {
				throw new java.io.UncheckedIOException(e);
			}
		}
	}
}
