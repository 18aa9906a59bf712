package io.tracepackets.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.tracepackets.internal.evidence.PcapngKernelTest;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar, run as a person runs it ({@code java -jar tracepackets-cli.jar ...}, no Maven on
 * its class path), tracing real datagrams between two namespaces joined by a veth; stopped with
 * SIGINT as Ctrl-C stops it, or SIGTERM. Needs root: skipped without it, failed in strict mode.
 * Every jar a test starts is a {@link Cli} in a try-with-resources block: it is ended (SIGTERM,
 * then SIGKILL after a bound) whatever the test's outcome, so that a failed test leaves no trace
 * running, attached to the kernel.
 */
@ExtendWith(JarAndNamespaces.class)
class CliJarTest {

	static final Path JAR = Path.of(System.getProperty("tracepackets.cli.jar", "target/tracepackets-cli.jar"));
	/** One pair for the class, made and deleted by {@link JarAndNamespaces}. */
	private static VethNamespaces veth;

	@TempDir
	Path dir;

	@Test
	void should_print_pwru_lines_for_the_traced_namespace_and_a_summary_on_ctrl_c() throws Exception {
		// GIVEN the jar tracing the right namespace, ready once its ready file exists
		Path ready = dir.resolve("ready");
		try (Cli cli = Cli.start(dir, "--netns", veth.rightPath().toString(), "--ready-file", ready.toString())) {
			cli.awaitFile(ready);

			// WHEN 3 datagrams reach a port where nothing listens, then Ctrl-C
			send(7600, 3);
			List<String> lines = cli.awaitStdout(out -> out.stream().filter(l -> l.contains(":7600 udp")
					&& l.contains("kfree_skb NO_SOCKET")).count() == 3);
			String summary = cli.stop("INT");

			// THEN a header, one line per event in pwru's columns, and how many events and losses
			assertThat(lines.getFirst()).startsWith("TIME ").contains("SKB", "NETNS", "IFACE", "TUPLE", "WHERE");
			assertThat(lines).filteredOn(l -> l.contains(":7600 udp")).allMatch(l -> l.startsWith("+"))
					.allMatch(l -> l.contains(" " + veth.rightInode() + " "))
					.anyMatch(l -> l.endsWith(" netif_receive_skb")).anyMatch(l -> l.contains(veth.rightInterface() + "("));
			assertThat(cli.stderr()).contains("tracepackets: tracing netns " + veth.rightInode() + " ("
					+ veth.rightPath() + ") only (--all-netns traces every one) with the ");
			assertThat(summary).containsPattern("tracepackets: \\d+ events written, \\d+ traced, \\d+ lost");
			assertThat(cli.exitCode()).as("stopped by SIGINT, as every program Ctrl-C stops").isEqualTo(130);
		}
	}

	@Test
	void should_stop_on_ctrl_c_even_when_started_with_sigint_ignored() throws Exception {
		// GIVEN the jar started as a script's background job: a shell without job control starts
		// it with SIGINT ignored (bash -c 'cmd &'), and exec keeps it so
		Path ready = dir.resolve("ready");
		Path pid = dir.resolve("pid");
		assertThat(ignoresSigint(inBackground("grep", "^SigIgn:", "/proc/self/status")))
				.as("a background job of bash -c starts with SIGINT ignored").isTrue();
		Path output = dir.resolve("output.txt");
		Process shell = new ProcessBuilder("bash", "-c", "\"$@\" & echo $! >" + pid, "bash", java(), "-jar",
				JAR.toAbsolutePath().toString(), "--netns", veth.rightPath().toString(), "--ready-file",
				ready.toString()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
		assertThat(shell.waitFor(30, TimeUnit.SECONDS)).as("bash started the jar in the background").isTrue();
		// (bash exits once it started the job: the jar is no child of this JVM, a handle ends it below)
		ProcessHandle jar = ProcessHandle.of(Long.parseLong(Files.readString(pid).strip()))
				.orElseThrow(() -> new AssertionError("the jar exited at once: " + readString(output)));
		try (Cli cli = new Cli(null, jar, output, output)) {
			cli.awaitFile(ready);

			// WHEN Ctrl-C
			cli.signal("INT");

			// THEN it stops, with its summary
			assertThat(cli.waitFor(30)).as("the jar stops on SIGINT although it started with SIGINT ignored: %s",
					cli.stderr()).isTrue();
			assertThat(cli.stderr()).containsPattern("tracepackets: \\d+ events written, \\d+ traced, \\d+ lost");
		}
	}

	@Test
	void should_stop_on_sigterm_with_its_summary() throws Exception {
		// GIVEN the jar tracing
		Path ready = dir.resolve("ready");
		try (Cli cli = Cli.start(dir, "--netns", veth.rightPath().toString(), "--ready-file", ready.toString())) {
			cli.awaitFile(ready);

			// WHEN SIGTERM, as a service manager or a script stops it
			String summary = cli.stop("TERM");

			// THEN it drained, summarized and exited with 128 + 15
			assertThat(summary).containsPattern("tracepackets: \\d+ events written, \\d+ traced, \\d+ lost");
			assertThat(cli.exitCode()).isEqualTo(143);
		}
	}

	@Test
	void should_write_json_lines_to_a_file() throws Exception {
		// GIVEN JSON output into a file
		Path out = dir.resolve("trace.jsonl");
		Path ready = dir.resolve("ready");
		try (Cli cli = Cli.start(dir, "--netns", veth.rightPath().toString(), "--output", "json", "--output-file",
				out.toString(), "--ready-file", ready.toString())) {
			cli.awaitFile(ready);

			// WHEN 2 datagrams are dropped for want of a socket, then Ctrl-C
			send(7601, 2);
			Thread.sleep(1500);
			String summary = cli.stop("INT");

			// THEN each event is a JSON object of the documented schema, the drops among them
			List<String> json = Files.readAllLines(out);
			assertThat(json).isNotEmpty().allMatch(l -> l.startsWith("{\"ts_ns\":") && l.endsWith("}"))
					.allMatch(l -> l.contains("\"netns\":" + veth.rightInode()));
			assertThat(json).filteredOn(l -> l.contains("\"where\":\"kfree_skb\"") && l.contains("\"dport\":7601"))
					.hasSize(2).allMatch(l -> l.contains("\"drop_reason\":\"NO_SOCKET\""));
			assertThat(summary).contains(json.size() + " events written").contains("output in " + out);
		}
	}

	@Test
	void should_stop_by_itself_at_the_limit() throws Exception {
		// GIVEN at most 2 events
		Path ready = dir.resolve("ready");
		try (Cli cli = Cli.start(dir, "--netns", veth.rightPath().toString(), "--limit", "2", "--ready-file",
				ready.toString())) {
			cli.awaitFile(ready);

			// WHEN datagrams make more
			send(7603, 2);

			// THEN the jar exits on its own, after a header and 2 lines
			assertThat(cli.waitFor(30)).as(cli.stderr()).isTrue();
			assertThat(cli.exitCode()).isZero();
			assertThat(Files.readAllLines(cli.stdout())).hasSize(3);
			assertThat(cli.stderr()).contains("2 events written (--limit 2 reached)");
		}
	}

	@Test
	void should_write_pcapng_that_tshark_reads_with_the_packets_and_a_comment_per_event() throws Exception {
		// GIVEN pcapng output (128 bytes per packet by default)
		Path out = dir.resolve("trace.pcapng");
		Path ready = dir.resolve("ready");
		try (Cli cli = Cli.start(dir, "--netns", veth.rightPath().toString(), "--output", "pcapng", "--output-file",
				out.toString(), "--ready-file", ready.toString())) {
			cli.awaitFile(ready);

			// WHEN 2 datagrams are dropped for want of a socket, then Ctrl-C
			send(7602, 2);
			Thread.sleep(1500);
			cli.stop("INT");
		}

		// THEN tshark decodes the datagrams, and each drop's comment names it
		List<String> rows = PcapngKernelTest.tshark(out, "-Y", "udp.dstport == 7602 && !icmp", "-T", "fields", "-E", "separator=|",
				"-e", "ip.dst", "-e", "frame.comment");
		assertThat(rows).isNotEmpty().allMatch(r -> r.startsWith(veth.rightAddress() + "|"));
		assertThat(rows).filteredOn(r -> r.contains("|kfree_skb (tracepoint) task ") && r.contains("] netns " + veth.rightInode()))
				.hasSize(2).allMatch(r -> r.contains(" drop NO_SOCKET (lost) at "));
		assertThat(rows).anyMatch(r -> r.contains("|netif_receive_skb (tracepoint) task ") && r.contains("] netns " + veth.rightInode()
				+ " dev " + veth.rightInterface() + " skb 0x"));
	}

	@Test
	void should_print_under_a_drop_the_rule_that_dropped_it_and_what_the_drop_means() throws Exception {
		// GIVEN a rule dropping udp/7610 in the traced namespace
		veth.execInRight("iptables", "-A", "INPUT", "-p", "udp", "--dport", "7610", "-j", "DROP");
		Path ready = dir.resolve("ready");
		try (Cli cli = Cli.start(dir, "--netns", veth.rightPath().toString(), "--ready-file", ready.toString())) {
			cli.awaitFile(ready);

			// WHEN 2 datagrams meet it
			send(7610, 2);

			// THEN under each drop the rule, as a failing test's message names it, and once what the drop means
			List<String> lines = cli.awaitStdout(out -> out.stream().filter(l -> l.contains("by iptables")).count() == 2
					&& out.stream().anyMatch(l -> l.contains("a netfilter rule or chain policy dropped it")));
			List<String> drops = lines.stream().filter(l -> l.contains(":7610 udp") && l.contains("kfree_skb")).toList();
			assertThat(drops).hasSize(2).allMatch(l -> l.contains("NETFILTER_DROP (lost)"));
			assertThat(lines.get(lines.indexOf(drops.getFirst()) + 1).strip())
					.matches("by iptables-nft rule 1 of filter INPUT \\(handle \\d+\\): -A INPUT -p udp -m udp --dport 7610 -j DROP");
			assertThat(lines).containsOnlyOnce("  lost: NETFILTER_DROP: dropped by a netfilter rule or policy",
					"    a netfilter rule or chain policy dropped it (iptables/nftables)");
		} finally {
			veth.execInRight("iptables", "-D", "INPUT", "-p", "udp", "--dport", "7610", "-j", "DROP");
		}
	}

	@Test
	void should_trace_a_docker_container_by_its_name() throws Exception {
		// GIVEN a running container, known by its name only
		assumeThat(docker("version", "--format", "{{.Server.Version}}").exitCode() == 0 || strict())
				.as("a Docker engine (docker version)").isTrue();
		String name = "tracepackets-cli-" + ProcessHandle.current().pid();
		Docker run = docker("run", "-d", "--rm", "--name", name, "tracepackets/netbox:local");
		assertThat(run.exitCode()).as("docker run: %s (scripts/images builds the image)", run.output()).isZero();
		try {
			String address = docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", name).output().strip();
			long inode = Long.parseLong(docker("exec", name, "readlink", "/proc/self/ns/net").output().strip()
					.replaceAll("\\D", ""));
			Path ready = dir.resolve("ready");
			try (Cli cli = Cli.start(dir, "--container", name, "--ready-file", ready.toString())) {
				cli.awaitFile(ready);

				// WHEN a datagram reaches a port where nothing listens in it
				assertThat(Traffic.udp().to(address, 7611).send(1)).isEqualTo(1);

				// THEN its drop is traced in the container's namespace, which the ready line names
				List<String> lines = cli.awaitStdout(out -> out.stream().anyMatch(l -> l.contains(":7611 udp")
						&& l.contains("kfree_skb NO_SOCKET")));
				assertThat(lines).filteredOn(l -> l.contains(":7611 udp")).allMatch(l -> l.contains(" " + inode + " "));
				assertThat(cli.stderr()).contains("tracepackets: tracing netns " + inode + " (container " + name + " (");
			}
		} finally {
			docker("rm", "-f", name);
		}
	}

	/**
	 * The jar carries no Testcontainers: --container reaches ContainerNamespaces, whose verification
	 * loads the docker-java exception it catches. Every class of that path links from the jar alone.
	 */
	@Test
	void should_link_the_container_lookup_from_the_jar_alone() throws Exception {
		try (java.net.URLClassLoader jarOnly = new java.net.URLClassLoader(new java.net.URL[] { JAR.toUri().toURL() },
				ClassLoader.getPlatformClassLoader())) {
			for (String name : List.of("NamedContainer", "ContainerNamespaces", "EngineView", "ContainerProcess")) {
				assertThat(Class.forName("io.tracepackets.internal.containers." + name, true, jarOnly))
						.as(name).isNotNull();
			}
		}
	}

	@Test
	void should_refuse_a_container_that_does_not_exist() throws Exception {
		assumeThat(docker("version", "--format", "{{.Server.Version}}").exitCode() == 0 || strict())
				.as("a Docker engine (docker version)").isTrue();
		try (Cli cli = Cli.start(dir, "--container", "tracepackets-no-such-container")) {
			assertThat(cli.waitFor(60)).isTrue();
			assertThat(cli.exitCode()).isEqualTo(2);
			assertThat(cli.stderr()).contains("tracepackets: --container tracepackets-no-such-container: no container"
					+ " tracepackets-no-such-container: docker ps lists the running ones");
		}
	}

	@Test
	void should_stop_after_its_duration() throws Exception {
		// GIVEN a trace of 2 s
		try (Cli cli = Cli.start(dir, "--netns", veth.rightPath().toString(), "--duration", "2s")) {
			// WHEN nothing stops it
			// THEN it stops by itself, with its summary
			assertThat(cli.waitFor(90)).as(cli.stderr()).isTrue();
			assertThat(cli.exitCode()).isZero();
			assertThat(cli.stderr()).containsPattern("tracepackets: \\d+ events written \\(--duration 2s reached\\)");
		}
	}

	@Test
	void should_stop_when_its_standard_input_closes() throws Exception {
		// GIVEN the jar reading a pipe, as a script's coprocess or ssh runs it
		Path ready = dir.resolve("ready");
		try (Cli cli = Cli.start(dir, "--netns", veth.rightPath().toString(), "--ready-file", ready.toString())) {
			cli.awaitFile(ready);

			// WHEN the writer closes it
			cli.child().getOutputStream().close();

			// THEN it stops, with its summary, as after Ctrl-C
			assertThat(cli.waitFor(30)).as(cli.stderr()).isTrue();
			assertThat(cli.exitCode()).isZero();
			assertThat(cli.stderr()).containsPattern("tracepackets: \\d+ events written \\(standard input closed\\)");
		}
	}

	/** pwru's README, "Running with Docker" and "Running on Kubernetes": the same command line. */
	@Test
	void should_run_pwrus_readme_example_host_1_1_1_1() throws Exception {
		// GIVEN 1.1.1.1 on the right namespace, routed to from the left one
		veth.execInRight("ip", "addr", "add", "1.1.1.1/32", "dev", veth.rightInterface());
		veth.execInLeft("ip", "route", "add", "1.1.1.1/32", "via", veth.rightAddress());
		try (Cli cli = Cli.pwru(dir, "pwru --output-tuple 'host 1.1.1.1'")) {
			cli.awaitStderr("Ctrl-C to stop");

			// WHEN a datagram goes to 1.1.1.1, where nothing listens
			assertThat(Traffic.fromNetnsPath(veth.leftPath()).udp().to("1.1.1.1", 7620).send(1)).isEqualTo(1);

			// THEN, every namespace being traced as pwru traces them, its way out of the left namespace,
			// into the right one and its drop there; nothing that is not to or from 1.1.1.1
			List<String> lines = cli.awaitStdout(out -> out.stream().anyMatch(l -> l.contains("1.1.1.1:7620 udp")
					&& l.contains("kfree_skb NO_SOCKET")));
			List<String> events = lines.stream().filter(l -> l.startsWith("+")).toList();
			assertThat(events).allMatch(l -> l.contains("1.1.1.1"));
			assertThat(events).anyMatch(l -> l.contains(" " + veth.leftInode() + " ") && l.endsWith("net_dev_start_xmit"))
					.anyMatch(l -> l.contains(" " + veth.rightInode() + " ") && l.contains("kfree_skb NO_SOCKET"));
			assertThat(cli.stderr()).contains("tracepackets: tracing every network namespace (the default, as pwru's;"
					+ " --netns, --container or --all-netns=false narrow it)");
			cli.stop("INT");
		} finally {
			veth.execInLeft("ip", "route", "del", "1.1.1.1/32");
			veth.execInRight("ip", "addr", "del", "1.1.1.1/32", "dev", veth.rightInterface());
		}
	}

	/**
	 * pwru's README on --filter-func: an exact match, or a regex for more. No skb function is called
	 * foo: refused as pwru refuses it, on any kernel, with what was looked in.
	 */
	@Test
	void should_run_pwrus_readme_filter_func_examples() throws Exception {
		for (String example : List.of("pwru --filter-func=foo", "pwru --filter-func=\".*foo.*\"")) {
			try (Cli cli = Cli.pwru(dir, example)) {
				assertThat(cli.waitFor(90)).as(example).isTrue();
				assertThat(cli.exitCode()).as(example + ": " + cli.stderr()).isEqualTo(2);
				assertThat(cli.stderr()).as(example).contains("tracepackets: functions = \"^(?:")
						.contains(")$\" matches no probeable skb function of the running kernel");
			}
		}
	}

	/**
	 * A function that exists, where no function backend runs (this host): refused with why each
	 * backend was, never traced without it (0 events); where one runs (the kernel-VM suite), traced.
	 */
	@Test
	void should_refuse_a_function_filter_where_no_function_backend_runs() throws Exception {
		try (Cli cli = Cli.pwru(dir, "pwru --filter-func=ip_rcv 'udp port 7660'")) {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
			while (cli.process().isAlive() && !cli.stderr().contains("Ctrl-C to stop")) {
				assertThat(System.nanoTime()).as(cli.stderr()).isLessThan(deadline);
				Thread.sleep(100);
			}
			if (cli.stderr().contains("Ctrl-C to stop")) {
				assertThat(cli.stderr()).containsPattern("probe points \\([1-9]\\d* kernel functions\\)");
				assertThat(Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), 7660).send(1)).isEqualTo(1);
				assertThat(cli.awaitStdout(out -> out.stream().anyMatch(l -> l.endsWith(" ip_rcv")))).isNotEmpty();
				cli.stop("INT");
			} else {
				assertThat(cli.waitFor(30)).isTrue();
				assertThat(cli.exitCode()).as(cli.stderr()).isEqualTo(1);
				assertThat(cli.stderr()).contains("tracepackets: cannot trace here: kernel functions matching ^(?:ip_rcv)$")
						.contains("no function backend runs on this kernel, so only the skb tracepoints could be traced"
								+ " (tracepoint: ");
			}
		}
	}

	@Test
	void should_follow_a_dnated_datagram_found_by_the_address_it_was_sent_to() throws Exception {
		// GIVEN the right namespace DNATs 198.18.0.100:7630 to its own address, port 7631, where nothing listens
		String[] dnat = { "-p", "udp", "-d", "198.18.0.100", "--dport", "7630", "-j", "DNAT", "--to-destination",
				veth.rightAddress() + ":7631" };
		veth.execInRight(concat(List.of("iptables", "-t", "nat", "-A", "PREROUTING"), dnat));
		veth.execInLeft("ip", "route", "add", "198.18.0.100/32", "via", veth.rightAddress());
		try {
			// WHEN a datagram is sent to the virtual address, traced without and with --filter-track-skb
			List<String> matched = pwruLines("pwru --output-tuple 'dst host 198.18.0.100'", 7630);
			List<String> followed = pwruLines("pwru --filter-track-skb --output-tuple 'dst host 198.18.0.100'", 7630);

			// THEN the kernel's filter sees it until the rewrite only; followed, its events after DNAT
			// show, to its drop for want of a socket on the port it was rewritten to
			assertThat(matched).isNotEmpty().noneMatch(l -> l.contains(":7631 udp"));
			assertThat(followed).anyMatch(l -> l.contains("> 198.18.0.100:7630 udp") && l.endsWith("netif_receive_skb"))
					.anyMatch(l -> l.contains("> " + veth.rightAddress() + ":7631 udp") && l.contains("kfree_skb NO_SOCKET"));
		} finally {
			veth.execInLeft("ip", "route", "del", "198.18.0.100/32");
			veth.execInRight(concat(List.of("iptables", "-t", "nat", "-D", "PREROUTING"), dnat));
		}
	}

	@Test
	void should_filter_on_the_mark_under_its_mask_and_follow_the_packet_past_the_namespace_that_cleared_it()
			throws Exception {
		// GIVEN the left namespace marks udp/7640 0x1234 as it leaves; crossing the veth clears the mark
		String[] mark = { "-p", "udp", "--dport", "7640", "-j", "MARK", "--set-mark", "0x1234" };
		veth.execInLeft(concat(List.of("iptables", "-t", "mangle", "-A", "OUTPUT"), mark));
		try {
			// WHEN a datagram goes, traced by its mark's 0x200 bit, without and with --filter-track-skb
			List<String> marked = pwruLines("pwru --filter-mark 0x200/0xf00 --output-meta 'udp port 7640'", 7640);
			List<String> followed = pwruLines("pwru --filter-mark 0x200/0xf00 --filter-track-skb 'udp port 7640'", 7640);

			// THEN the marked events, in the left namespace; followed, the right one's too
			assertThat(marked).filteredOn(l -> l.startsWith("+")).isNotEmpty()
					.allMatch(l -> l.contains(" " + veth.leftInode() + " "));
			assertThat(marked).filteredOn(l -> l.startsWith("    meta: ")).isNotEmpty()
					.allMatch(l -> l.contains(" mark=0x1234 "));
			assertThat(followed).anyMatch(l -> l.contains(" " + veth.rightInode() + " ") && l.contains("kfree_skb NO_SOCKET"));
		} finally {
			veth.execInLeft(concat(List.of("iptables", "-t", "mangle", "-D", "OUTPUT"), mark));
		}
	}

	@Test
	void should_fill_dropped_by_in_json_and_filter_on_a_device_of_a_namespace() throws Exception {
		// GIVEN a rule dropping udp/7650 in the right namespace
		veth.execInRight("iptables", "-A", "INPUT", "-p", "udp", "--dport", "7650", "-j", "DROP");
		Path out = dir.resolve("trace.json");
		try {
			// WHEN a datagram meets it, traced as JSON on the right namespace's device
			try (Cli cli = Cli.pwru(dir, "pwru --filter-netns " + veth.rightPath() + " --filter-ifname "
					+ veth.rightInterface() + " --output-json --output-file " + out + " 'udp port 7650'")) {
				cli.awaitStderr("Ctrl-C to stop");
				send(7650, 1);
				Thread.sleep(1500);
				cli.stop("INT");
			}

			// THEN the drop names its rule in dropped_by, and every event is on that device
			List<String> json = Files.readAllLines(out);
			assertThat(json).isNotEmpty().allMatch(l -> l.contains("\"iface\":\"" + veth.rightInterface() + "\""));
			assertThat(json).filteredOn(l -> l.contains("\"where\":\"kfree_skb\"")).singleElement().asString()
					.containsPattern("\"dropped_by\":\"iptables-nft rule 1 of filter INPUT \\(handle \\d+\\): -A INPUT -p udp"
							+ " -m udp --dport 7650 -j DROP\"");
		} finally {
			veth.execInRight("iptables", "-D", "INPUT", "-p", "udp", "--dport", "7650", "-j", "DROP");
		}
	}

	@Test
	void should_name_the_nearest_option_of_a_mistyped_one() throws Exception {
		try (Cli cli = Cli.pwru(dir, "pwru --output-tupel 'host 1.1.1.1'")) {
			assertThat(cli.waitFor(60)).isTrue();
			assertThat(cli.exitCode()).isEqualTo(2);
			assertThat(cli.stderr()).contains("tracepackets: unknown option --output-tupel: did you mean --output-tuple?");
		}
	}

	@Test
	void should_refuse_bad_input_with_what_to_write_instead() throws Exception {
		try (Cli badOutput = Cli.start(dir, "--output", "xml")) {
			assertThat(badOutput.waitFor(30)).isTrue();
			assertThat(badOutput.exitCode()).isEqualTo(2);
			assertThat(badOutput.stderr()).contains("tracepackets: --output xml: use text, json or pcapng")
					.contains("--help");
		}

		try (Cli noSuchNetns = Cli.start(dir, "--netns", "/run/netns/tracepackets-no-such-netns")) {
			assertThat(noSuchNetns.waitFor(60)).isTrue();
			assertThat(noSuchNetns.exitCode()).isEqualTo(2);
			assertThat(noSuchNetns.stderr()).contains("--netns /run/netns/tracepackets-no-such-netns: no such file;");
		}
	}

	/**
	 * Runs {@code commandLine} (a pwru command line, in the shell's quoting) in its directory, from
	 * the left namespace, with pwru as the jar; stopped with Ctrl-C after one datagram to
	 * {@code port} and 1.5 s: the lines it printed.
	 */
	private List<String> pwruLines(String commandLine, int port) throws Exception {
		try (Cli cli = Cli.pwru(dir, commandLine)) {
			cli.awaitStderr("Ctrl-C to stop");
			String address = commandLine.contains("198.18.0.100") ? "198.18.0.100" : veth.rightAddress();
			assertThat(Traffic.fromNetnsPath(veth.leftPath()).udp().to(address, port).send(1)).isEqualTo(1);
			Thread.sleep(1500);
			cli.stop("INT");
			return Files.readAllLines(cli.stdout());
		}
	}

	/** {@code command} followed by {@code rule}: an iptables command line. */
	private static String[] concat(List<String> command, String[] rule) {
		List<String> all = new ArrayList<>(command);
		all.addAll(List.of(rule));
		return all.toArray(String[]::new);
	}

	private static boolean strict() {
		return JarAndNamespaces.strict();
	}

	private record Docker(int exitCode, String output) {
	}

	/** Runs the docker command; its exit status and output (standard output and error). */
	private static Docker docker(String... args) throws Exception {
		List<String> command = new ArrayList<>(List.of("docker"));
		command.addAll(List.of(args));
		Process process;
		try {
			process = new ProcessBuilder(command).redirectErrorStream(true).start();
		} catch (IOException e) {
			return new Docker(127, e.getMessage());
		}
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("docker %s", String.join(" ", args)).isTrue();
		return new Docker(process.exitValue(), output);
	}

	private static void send(int port, int count) {
		assertThat(Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), port).send(count))
				.isEqualTo(count);
	}

	private static String readString(Path file) {
		try {
			return Files.readString(file);
		} catch (IOException e) {
			return "(" + file + " unreadable: " + e.getMessage() + ")";
		}
	}

	static String java() {
		return Path.of(System.getProperty("java.home"), "bin", "java").toString();
	}

	/** Whether a {@code SigIgn:} line of /proc/PID/status has SIGINT's bit. */
	private static boolean ignoresSigint(String status) {
		return (StopSignals.ignoredSignals(status) & 1L << 1) != 0;
	}

	/** What {@code command}, run as bash -c runs a background job, printed. */
	private static String inBackground(String... command) throws Exception {
		List<String> args = new ArrayList<>(List.of("bash", "-c", "\"$@\" & wait", "bash"));
		args.addAll(List.of(command));
		Process shell = new ProcessBuilder(args).redirectErrorStream(true).start();
		try {
			String output = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(shell.waitFor(30, TimeUnit.SECONDS)).isTrue();
			return output;
		} finally {
			shell.destroyForcibly();
		}
	}

	/**
	 * The jar as a process, its standard output and error in files read while it runs. Closing it
	 * ends the process if it still runs: SIGTERM, then SIGKILL when it has not exited within
	 * {@value #STOP_SECONDS} s.
	 */
	record Cli(Process child, ProcessHandle process, Path stdout, Path stderrFile) implements AutoCloseable {

		private static final int STOP_SECONDS = 15;

		static Cli start(Path dir, String... args) throws IOException {
			Path stdout = Files.createTempFile(dir, "stdout", ".txt");
			Path stderr = Files.createTempFile(dir, "stderr", ".txt");
			List<String> command = new ArrayList<>(List.of(java(), "-jar", JAR.toAbsolutePath().toString()));
			command.addAll(List.of(args));
			Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile())
					.redirectError(stderr.toFile()).start();
			return new Cli(process, process.toHandle(), stdout, stderr);
		}

		/**
		 * {@code commandLine} as a pwru user types it, run by bash with {@code pwru} being the jar:
		 * only the program's name differs.
		 */
		static Cli pwru(Path dir, String commandLine) throws IOException {
			return pwru(dir, commandLine, java.util.Map.of());
		}

		/** As {@link #pwru(Path, String)}, with more environment (JVM options under emulation). */
		static Cli pwru(Path dir, String commandLine, java.util.Map<String, String> environment) throws IOException {
			Path stdout = Files.createTempFile(dir, "stdout", ".txt");
			Path stderr = Files.createTempFile(dir, "stderr", ".txt");
			ProcessBuilder builder = new ProcessBuilder("bash", "-c",
					"pwru() { exec \"$TRACEPACKETS_JAVA\" -jar \"$TRACEPACKETS_JAR\" \"$@\"; }\n" + commandLine);
			builder.environment().put("TRACEPACKETS_JAVA", java());
			builder.environment().put("TRACEPACKETS_JAR", JAR.toAbsolutePath().toString());
			builder.environment().putAll(environment);
			Process process = builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
			return new Cli(process, process.toHandle(), stdout, stderr);
		}

		void awaitStderr(String text) throws Exception {
			awaitStderr(text, 90);
		}

		void awaitStderr(String text, int seconds) throws Exception {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
			while (!stderr().contains(text)) {
				assertThat(process.isAlive()).as("the jar exited before printing %s: %s", text, stderr()).isTrue();
				assertThat(System.nanoTime()).as("%s within %d s: %s", text, seconds, stderr()).isLessThan(deadline);
				Thread.sleep(100);
			}
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
			return awaitStdout(condition, 20);
		}

		List<String> awaitStdout(Predicate<List<String>> condition, int seconds) throws Exception {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
			List<String> lines = Files.readAllLines(stdout);
			while (!condition.test(lines)) {
				assertThat(System.nanoTime()).as("output so far:%n%s%nerrors:%n%s", String.join("\n", lines), stderr())
						.isLessThan(deadline);
				Thread.sleep(200);
				lines = Files.readAllLines(stdout);
			}
			return lines;
		}

		/** Sends {@code SIG<name>} with kill(1), as a shell or Ctrl-C sends it. */
		void signal(String name) throws Exception {
			Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
			assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
		}

		/** {@code SIG<name>} (INT: Ctrl-C), then the exit; returns standard error. */
		String stop(String name) throws Exception {
			signal(name);
			assertThat(waitFor(30)).as("the jar stops on SIG%s: %s", name, stderr()).isTrue();
			return stderr();
		}

		boolean waitFor(int seconds) throws Exception {
			try {
				process.onExit().get(seconds, TimeUnit.SECONDS);
				return true;
			} catch (java.util.concurrent.TimeoutException e) {
				return false;
			}
		}

		/** The exit status; only a child's can be read (a background job's parent was its shell). */
		int exitCode() {
			assertThat(child).as("the jar is this JVM's child").isNotNull();
			return child.exitValue();
		}

		String stderr() {
			try {
				return Files.readString(stderrFile);
			} catch (IOException e) {
				throw new java.io.UncheckedIOException(e);
			}
		}

		@Override
		public void close() throws Exception {
			if (!process.isAlive()) {
				return;
			}
			process.destroy();
			if (!waitFor(STOP_SECONDS)) {
				process.destroyForcibly();
				assertThat(waitFor(STOP_SECONDS)).as("the jar (pid %d) ends on SIGKILL", process.pid()).isTrue();
			}
		}
	}
}
