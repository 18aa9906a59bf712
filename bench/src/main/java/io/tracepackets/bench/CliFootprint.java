package io.tracepackets.bench;

import io.tracepackets.testing.VethNamespaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line's memory under a flood, as a pwru user runs it: the runnable jar with no heap
 * option (it then bounds its own), tracing both namespaces of a veth pair with a pcap filter on
 * the flood's port, its lines written to /dev/null, while {@code udpflood.c} floods that port for
 * {@code seconds}. Its resident set is sampled every 200 ms; then Ctrl-C (SIGINT), and its own
 * summary line says what it wrote, traced and lost.
 */
final class CliFootprint {

	/** The flood issue 25 bounds the command line's memory under: 40 s. */
	static final double SECONDS = 40;

	private static final Pattern LOSS_LINE = Pattern.compile("tracepackets: ring buffer or store full, lost \\d+ events");
	private static final Pattern SUMMARY = Pattern.compile(
			"tracepackets: (\\d+) events written.*?, (\\d+) traced, (\\d+) lost");

	/** What one run showed: the flood, the jar's resident set, its loss lines and summary. */
	record Result(double seconds, long sent, long rssReady, long rssPeak, long rssEnd, long lossLines, long written,
			long traced, long lost) {
	}

	private CliFootprint() {
	}

	static Result measure(Path jar, VethNamespaces pair, UdpFlood flood, Path work) throws Exception {
		Path ready = work.resolve("cli-ready");
		Path stderr = work.resolve("cli-stderr.txt");
		Files.deleteIfExists(ready);
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process cli = new ProcessBuilder(java, "-jar", jar.toString(), "--netns", pair.leftPath().toString(), "--netns",
				pair.rightPath().toString(), "--output-file", "/dev/null", "--ready-file", ready.toString(),
				"udp and dst port " + UdpFlood.PORT).redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.redirectError(stderr.toFile()).start();
		try {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			while (!Files.exists(ready)) {
				if (!cli.isAlive() || System.nanoTime() > deadline) {
					throw new IllegalStateException("the command line did not get ready: " + Files.readString(stderr));
				}
				Thread.sleep(50);
			}
			long rssReady = rss(cli.pid());
			AtomicLong peak = new AtomicLong(rssReady);
			Thread sampler = Thread.ofPlatform().daemon().name("cli-rss").start(() -> {
				while (!Thread.currentThread().isInterrupted()) {
					try {
						peak.accumulateAndGet(rss(cli.pid()), Math::max);
						Thread.sleep(200);
					} catch (InterruptedException e) {
						return;
					}
				}
			});
			UdpFlood.Result sent;
			try {
				sent = flood.run(SECONDS);
			} finally {
				sampler.interrupt();
				sampler.join();
			}
			long rssEnd = rss(cli.pid());
			Commands.run("kill", "-INT", Long.toString(cli.pid()));
			if (!cli.waitFor(60, TimeUnit.SECONDS)) {
				throw new IllegalStateException("the command line did not stop on SIGINT: " + Files.readString(stderr));
			}
			String said = Files.readString(stderr);
			Matcher summary = SUMMARY.matcher(said);
			if (!summary.find()) {
				throw new IllegalStateException("the command line printed no summary: " + said);
			}
			return new Result(SECONDS, sent.packets(), rssReady, peak.get(), rssEnd, LOSS_LINE.matcher(said).results()
					.count(), Long.parseLong(summary.group(1)), Long.parseLong(summary.group(2)),
					Long.parseLong(summary.group(3)));
		} finally {
			cli.destroyForcibly();
		}
	}

	private static long rss(long pid) {
		return MemoryFootprint.rss(Long.toString(pid));
	}

	/** Prints the result, for a run from the command line. */
	static String describe(Result r) {
		return String.format(java.util.Locale.ROOT, """
				command line: %.0f s flood, %,d datagrams sent; VmRSS %s ready, %s peak, %s at the end; \
				%,d loss lines; %,d events written, %,d traced, %,d lost""", r.seconds(), r.sent(),
				MemoryFootprint.mib(r.rssReady()), MemoryFootprint.mib(r.rssPeak()), MemoryFootprint.mib(r.rssEnd()),
				r.lossLines(), r.written(), r.traced(), r.lost());
	}
}
