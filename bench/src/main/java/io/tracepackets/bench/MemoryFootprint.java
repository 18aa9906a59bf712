package io.tracepackets.bench;

import static io.tracepackets.DropReason.NO_SOCKET;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;

import io.tracepackets.EventStoreOverflow;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketPath;
import io.tracepackets.internal.session.EventCursor;
import io.tracepackets.internal.session.TraceSession;
import io.tracepackets.internal.window.TraceWindow;
import io.tracepackets.testing.VethNamespaces;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a flood costs in memory (issue 25): one per-test window scoped to a veth pair, a flood from
 * {@code udpflood.c} (sendmmsg) to a port nobody listens on for {@code seconds}, then the window's
 * {@code events()} and {@code paths()}, as a test would read them. Measured: bytes per stored event
 * (the store's own count, through a raw cursor open over the same events), the heap after a full
 * GC before and after the window decodes (so the heap per decoded event), the process's RSS, and
 * whether the kernel's exact count still answers. Each measurement runs in a JVM of its own
 * ({@link #inFreshJvm}), as a test class's JVM would: its resident set is then the test's, not
 * what an earlier measurement grew the heap to.
 */
final class MemoryFootprint {

	private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
	/**
	 * One measuring JVM: the event store's budget, and its heap options.
	 */
	record Run(long budget, List<String> jvmOptions) {
	}

	/**
	 * The default budget with the JVM's own heap sizing (a quarter of the machine's memory), then
	 * with the heap a 7 GB CI runner's test JVM might be given, then a quarter of the budget.
	 */
	static final List<Run> RUNS = List.of(new Run(256L << 20, List.of()), new Run(256L << 20, List.of("-Xmx768m")),
			new Run(64L << 20, List.of()));
	/** The line a measuring JVM prints its result on. */
	private static final String RESULT_LINE = "memory-footprint-result ";

	/**
	 * One JVM's measurement.
	 *
	 * @param jvmOptions the heap options the JVM ran with (empty: the JVM's own choice)
	 * @param rssPeak the JVM's highest VmRSS, sampled every 100 ms from its start to its exit
	 */
	record Result(double seconds, long sent, long storeBudget, long storedEvents, long storedBytes,
			long storePeakBytes, long overflowedEvents, long neededBytes, long lostEvents, long events, long paths,
			long heapBeforeDecode, long heapAfterDecode, long heapAfterClose, long rssBeforeDecode,
			long rssAfterDecode, long maxHeap, boolean countAnswered, String jvmOptions, long rssPeak) {

		double bytesPerStoredEvent() {
			return storedEvents == 0 ? 0 : storedBytes / (double) storedEvents;
		}

		double heapPerDecodedEvent() {
			return events == 0 ? 0 : (heapAfterDecode - heapBeforeDecode) / (double) events;
		}
	}

	private MemoryFootprint() {
	}

	static Result measure(TraceSession session, VethNamespaces pair, UdpFlood flood, double seconds) {
		EventCursor raw = session.pump().openCursor();
		try (TraceWindow trace = TraceWindow.open(session, Duration.ZERO)) {
			trace.scope(pair.leftPath());
			trace.scope(pair.rightPath());
			UdpFlood.Result sent = flood.run(seconds);
			trace.flush();
			raw.flush(Duration.ofSeconds(30));
			long storedEvents = raw.stored();
			long storedBytes = raw.storedBytes();
			long heapBefore = heapAfterGc();
			long rssBefore = rss();
			List<PacketEvent> events = trace.events();
			List<PacketPath> paths = trace.paths();
			long heapAfter = heapAfterGc();
			long rssAfter = rss();
			if (Boolean.getBoolean("tracepackets.bench.histogram")) {
				printHistogram();
			}
			boolean answered;
			try {
				assertThat(trace).drops().withReason(NO_SOCKET).inNamespace(pair.rightInode()).hasCount(sent.packets());
				answered = true;
			} catch (AssertionError e) {
				System.err.println(e.getMessage());
				answered = false;
			}
			EventStoreOverflow overflow = trace.storeOverflow().orElse(new EventStoreOverflow(0, 0, storedBytes));
			Result partial = new Result(seconds, sent.packets(), raw.budgetBytes(), storedEvents, storedBytes,
					session.pump().storePeakBytes(), overflow.events(), overflow.neededBytes(), trace.lostEvents(),
					events.size(), paths.size(), heapBefore, heapAfter, 0, rssBefore, rssAfter,
					Runtime.getRuntime().maxMemory(), answered, "", 0);
			events = null;
			paths = null;
			raw.close();
			raw.release();
			trace.close();
			return new Result(partial.seconds(), partial.sent(), partial.storeBudget(), partial.storedEvents(),
					partial.storedBytes(), partial.storePeakBytes(), partial.overflowedEvents(), partial.neededBytes(),
					partial.lostEvents(), partial.events(), partial.paths(), partial.heapBeforeDecode(),
					partial.heapAfterDecode(), heapAfterGc(), partial.rssBeforeDecode(), partial.rssAfterDecode(),
					partial.maxHeap(), partial.countAnswered(), "", 0);
		} finally {
			raw.close();
			raw.release();
		}
	}

	/**
	 * Measures in a JVM of its own, started as the benchmark was, with {@code jvmOptions}: the
	 * flood, the window and its reads happen there ({@link #main}); this JVM samples its resident
	 * set meanwhile.
	 */
	static Result inFreshJvm(List<String> jvmOptions, Path floodSource, Path work, double seconds, long budget)
			throws IOException, InterruptedException {
		List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
				.toString(), "--enable-native-access=ALL-UNNAMED", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
		command.addAll(jvmOptions);
		command.addAll(List.of("-cp", System.getProperty("java.class.path"), MemoryFootprint.class.getName(),
				floodSource.toString(), work.toString(), Double.toString(seconds), Long.toString(budget)));
		Process jvm = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
		java.util.concurrent.atomic.AtomicLong peak = new java.util.concurrent.atomic.AtomicLong();
		Thread sampler = Thread.ofPlatform().daemon().name("memory-rss").start(() -> {
			String pid = Long.toString(jvm.pid());
			while (jvm.isAlive()) {
				peak.accumulateAndGet(rss(pid), Math::max);
				try {
					Thread.sleep(100);
				} catch (InterruptedException e) {
					return;
				}
			}
		});
		String result = null;
		try (var lines = jvm.inputReader().lines()) {
			for (String line : (Iterable<String>) lines::iterator) {
				if (line.startsWith(RESULT_LINE)) {
					result = line.substring(RESULT_LINE.length());
				} else {
					System.out.println(line);
				}
			}
		}
		int exit = jvm.waitFor();
		sampler.interrupt();
		sampler.join();
		if (exit != 0 || result == null) {
			throw new IllegalStateException("the measuring JVM " + command + " exited with " + exit
					+ (result == null ? " and no result" : ""));
		}
		String[] f = result.split(",");
		return new Result(Double.parseDouble(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
				Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]),
				Long.parseLong(f[8]), Long.parseLong(f[9]), Long.parseLong(f[10]), Long.parseLong(f[11]),
				Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14]), Long.parseLong(f[15]),
				Long.parseLong(f[16]), Boolean.parseBoolean(f[17]), String.join(" ", jvmOptions), peak.get());
	}

	/**
	 * The measuring JVM of {@link #inFreshJvm}: a veth pair, a tracer with the budget, one
	 * measurement, its result on one line.
	 *
	 * @param args the flood's source, the work directory, the seconds, the store's budget in bytes
	 */
	public static void main(String[] args) throws Exception {
		long budget = Long.parseLong(args[3]);
		try (VethNamespaces pair = VethNamespaces.create();
				TraceSession session = TraceSession.start(new io.tracepackets.internal.session.TracerOptions(
						io.tracepackets.Backend.AUTO, null,
						io.tracepackets.internal.session.TracerOptions.DEFAULT_RING_BUFFER_BYTES, budget, false))) {
			Result r = measure(session, pair, UdpFlood.compile(Path.of(args[0]), Path.of(args[1]), pair),
					Double.parseDouble(args[2]));
			System.out.println(describe(r));
			System.out.println(RESULT_LINE + String.join(",", Double.toString(r.seconds()), Long.toString(r.sent()),
					Long.toString(r.storeBudget()), Long.toString(r.storedEvents()), Long.toString(r.storedBytes()),
					Long.toString(r.storePeakBytes()), Long.toString(r.overflowedEvents()),
					Long.toString(r.neededBytes()), Long.toString(r.lostEvents()), Long.toString(r.events()),
					Long.toString(r.paths()), Long.toString(r.heapBeforeDecode()), Long.toString(r.heapAfterDecode()),
					Long.toString(r.heapAfterClose()), Long.toString(r.rssBeforeDecode()),
					Long.toString(r.rssAfterDecode()), Long.toString(r.maxHeap()), Boolean.toString(r.countAnswered())));
		}
	}

	/** Used heap after a full collection (twice: finalizable objects and soft references settle). */
	static long heapAfterGc() {
		for (int i = 0; i < 3; i++) {
			System.gc();
		}
		return MEMORY.getHeapMemoryUsage().getUsed();
	}

	/** The heap's 30 largest classes, from jcmd: where a decoded event's bytes go. */
	private static void printHistogram() {
		try {
			Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
					Long.toString(ProcessHandle.current().pid()), "GC.class_histogram")
					.redirectErrorStream(true).start();
			String text = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
			jcmd.waitFor();
			text.lines().limit(34).forEach(System.out::println);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	/** This process's resident set, from /proc/self/status. */
	static long rss() {
		return rss("self");
	}

	/**
	 * A process's resident set in bytes (VmRSS of /proc/{@code pid}/status); 0 once it is gone.
	 *
	 * @param pid a process id, or {@code self}
	 */
	static long rss(String pid) {
		try {
			for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
				if (line.startsWith("VmRSS:")) {
					return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
				}
			}
			return -1;
		} catch (java.nio.file.NoSuchFileException gone) {
			return 0;
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Prints the result, one figure a line, for a run from the command line. */
	static String describe(Result r) {
		return String.format(java.util.Locale.ROOT, """
				flood: %.0f s, %,d datagrams sent
				store: budget %s, %,d events stored in %s (%.1f bytes each), peak %s; %,d events over the budget \
				(the window needed %s); %,d lost in all
				window: %,d events, %,d paths
				heap after GC: %s before decoding, %s after events() and paths() (%.0f bytes per decoded event), \
				%s after close; max heap %s
				RSS: %s before decoding, %s after
				exact count of NO_SOCKET drops: %s""", r.seconds(), r.sent(), mib(r.storeBudget()), r.storedEvents(),
				mib(r.storedBytes()), r.bytesPerStoredEvent(), mib(r.storePeakBytes()), r.overflowedEvents(),
				mib(r.neededBytes()), r.lostEvents(), r.events(), r.paths(), mib(r.heapBeforeDecode()),
				mib(r.heapAfterDecode()), r.heapPerDecodedEvent(), mib(r.heapAfterClose()), mib(r.maxHeap()),
				mib(r.rssBeforeDecode()), mib(r.rssAfterDecode()), r.countAnswered() ? "answers" : "FAILS");
	}

	static String mib(long bytes) {
		return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
	}
}
