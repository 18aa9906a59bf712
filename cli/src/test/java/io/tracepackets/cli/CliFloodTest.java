package io.tracepackets.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar under a flood of its own namespaces, as issue 25 found it: left running for 40 s
 * while one namespace floods a port nobody listens on in the other, it must stream in bounded
 * memory (its resident set, read from /proc/PID/status while the flood runs, stays under
 * {@value #RSS_BOUND_KB} kB), say the events it loses while it loses them, and print at exit the
 * kernel's counts, which lose none: exactly as many drops as datagrams were sent.
 *
 * <p>Tagged "flood": it takes about a minute, so the default build leaves it out and
 * {@code ./tp test} runs it in a step of its own ({@code -Dgroups=flood}). Needs root, as every
 * test of the jar: skipped without it, failed in strict mode.
 */
@Tag("flood")
@ExtendWith(JarAndNamespaces.class)
class CliFloodTest {

	/** How long the flood runs: the 40 s, long enough for anything retained to show. */
	private static final Duration FLOOD = Duration.ofSeconds(40);
	/** The command line's memory bound under a flood, in kB as /proc/PID/status says VmRSS: 300 MB. */
	private static final long RSS_BOUND_KB = 300_000;
	private static final int PORT = 7690;
	private static final Pattern LOSS_LINE = Pattern.compile(
			"tracepackets: ring buffer or store full, lost (\\d+) events \\((\\d+) so far\\)");
	private static final Pattern SUMMARY = Pattern.compile("tracepackets: (\\d+) events written.*?, (\\d+) traced, (\\d+) lost");

	/** One pair for the class, made and deleted by {@link JarAndNamespaces}. */
	private static VethNamespaces veth;

	@TempDir
	Path dir;

	@Test
	void should_stream_a_40_s_flood_in_bounded_memory_saying_its_losses_and_counting_every_drop_exactly()
			throws Exception {
		// GIVEN the jar tracing both namespaces' UDP to the port, its lines written (to /dev/null:
		// the flood would fill a disk) as a person's terminal takes them
		Path ready = dir.resolve("ready");
		try (CliJarTest.Cli cli = CliJarTest.Cli.start(dir, "--netns", veth.leftPath().toString(), "--netns",
				veth.rightPath().toString(), "--output-file", "/dev/null", "--ready-file", ready.toString(),
				"udp and dst port " + PORT)) {
			cli.awaitFile(ready);
			long rssAtStart = rssKb(cli.process().pid());
			// the command it runs as once ready: with its own bounded heap (BoundedHeap replaced the JVM)
			String commandLine = Files.readString(Path.of("/proc", Long.toString(cli.process().pid()), "cmdline"))
					.replace('\0', ' ').strip();

			// WHEN the left namespace floods the right one's port, where nothing listens, for 40 s,
			// the jar's resident set sampled meanwhile
			AtomicLong rssPeak = new AtomicLong(rssAtStart);
			Thread sampler = Thread.ofPlatform().daemon().name("rss-sampler").start(() -> {
				while (!Thread.currentThread().isInterrupted()) {
					try {
						rssPeak.accumulateAndGet(rssKb(cli.process().pid()), Math::max);
						Thread.sleep(200);
					} catch (IOException | InterruptedException gone) {
						return;
					}
				}
			});
			long sent;
			try {
				sent = Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), PORT).flood(FLOOD);
			} finally {
				sampler.interrupt();
				sampler.join();
			}
			// what the jar said while the flood ran, before it was stopped
			List<String> lossLines = cli.stderr().lines().filter(l -> LOSS_LINE.matcher(l).find()).toList();
			long rssAtEnd = rssKb(cli.process().pid());
			String stderr = cli.stop("INT");
			System.out.printf("CliFloodTest: %d datagrams in %s; VmRSS %d kB ready, %d kB peak, %d kB at the end;"
					+ " %d loss lines; the jar ran as %s%n%s%n", sent, FLOOD, rssAtStart, rssPeak.get(), rssAtEnd,
					lossLines.size(), commandLine, stderr);

			// THEN its memory stayed bounded while it streamed
			assertThat(rssPeak.get()).as("VmRSS (kB) of the jar during a %s flood (%d kB when ready)", FLOOD,
					rssAtStart).isLessThanOrEqualTo(RSS_BOUND_KB);
			// it said its losses as they happened, each line's running total growing
			assertThat(lossLines).as("loss lines while the flood ran:%n%s", stderr).isNotEmpty();
			long[] totals = lossLines.stream().mapToLong(l -> group(LOSS_LINE, l, 2)).toArray();
			assertThat(totals).isSorted().doesNotHaveDuplicates();
			// the summary says how many it lost in all, at least what the lines said
			Matcher summary = SUMMARY.matcher(stderr);
			assertThat(summary.find()).as(stderr).isTrue();
			long lost = Long.parseLong(summary.group(3));
			assertThat(lost).isGreaterThanOrEqualTo(totals[totals.length - 1]);
			// and the kernel's counts, exact whatever was lost: every datagram dropped for want of a socket
			assertThat(sent).isPositive();
			assertThat(drops(stderr, "NO_SOCKET", veth.rightInode())).as(stderr).isEqualTo(sent);
			assertThat(stderr).contains("tracepackets: counted in the kernel, exact (the lost events included):");
		}
	}

	/** The counts' drops of {@code reason} in {@code netns}, summed over their locations. */
	private static long drops(String stderr, String reason, long netns) {
		Pattern drop = Pattern.compile("^\\s+([\\d,]+)\\s+kfree_skb " + reason + " \\(\\w+\\) at \\S+, netns " + netns + "$",
				Pattern.MULTILINE);
		Matcher m = drop.matcher(stderr);
		long total = 0;
		while (m.find()) {
			total += Long.parseLong(m.group(1).replace(",", ""));
		}
		return total;
	}

	private static long group(Pattern pattern, String line, int group) {
		Matcher m = pattern.matcher(line);
		assertThat(m.find()).isTrue();
		return Long.parseLong(m.group(group));
	}

	/** VmRSS of {@code pid}, in kB, as /proc/PID/status says it. */
	static long rssKb(long pid) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
			if (line.startsWith("VmRSS:")) {
				return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").strip());
			}
		}
		throw new IOException("no VmRSS in /proc/" + pid + "/status: the process is gone");
	}
}
