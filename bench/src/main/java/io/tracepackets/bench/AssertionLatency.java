package io.tracepackets.bench;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;

import io.tracepackets.PacketTrace;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.session.TraceSession;
import io.tracepackets.internal.window.TraceWindow;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long an assertion takes on a long test's trace (issue 6): one per-test window scoped to a
 * veth pair, filled with real UDP traffic until it holds {@value #TARGET_EVENTS} events or more,
 * part of it to a port nothing listens on (dropped, NO_SOCKET), part to a port udpsink.c reads.
 * Then the assertions are timed on that window, round after round, each call measured alone.
 *
 * <p>Two windows see the same traffic: one opened with an await timeout of 0, so a failing
 * assertion polls once and what is timed is its work (paths, message), not the wait; one with the
 * extension's default timeout, where a failing assertion polls (regroups) until the timeout.
 * Passing assertions return at their first poll whatever the timeout.
 *
 * <p>Only {@link #openWindow} touches the tracer's internal API; everything else is public API.
 */
final class AssertionLatency {

	static final int TARGET_EVENTS = 100_000;
	static final int DROPPED_PORT = 7000;
	static final int DELIVERED_PORT = 7001;
	/** Datagrams per port per round of traffic; rounds go on until the window holds the target. */
	static final int ROUND = 2_500;
	static final int RUNS = 7;
	static final int WAITING_RUNS = 5;
	/** TracePacketsExtension's default await timeout (tracepackets.await.timeout.ms). */
	static final Duration EXTENSION_AWAIT = Duration.ofMillis(3000);
	private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
	private static final Pattern RECEIVED = Pattern.compile("received=(\\d+)");

	/** A per-test trace, as @TracePackets opens it, and how to end it. */
	record Window(PacketTrace trace, AutoCloseable end) implements AutoCloseable {
		@Override
		public void close() throws Exception {
			end.close();
		}
	}

	/**
	 * The glue to the tracer's internal API, in one place to port when it is renamed: a window from
	 * now on, with {@code awaitTimeout}, scoped to both namespaces of the pair.
	 */
	static Window openWindow(TraceSession context, Duration awaitTimeout, VethNamespaces pair) {
		TraceWindow trace = TraceWindow.open(context, awaitTimeout);
		trace.scope(pair.leftPath());
		trace.scope(pair.rightPath());
		return new Window(trace, trace::close);
	}

	/** One timed call: wall and this thread's CPU, in milliseconds, one value per run. */
	record Timing(String call, String note, Stats wallMs, Stats cpuMs) {
	}

	record Result(long events, long paths, int droppedSent, int deliveredSent, long sinkReceived, long lostEvents,
			double fillSeconds, double firstReadMs, int messageChars, List<Timing> timings, String loadBefore,
			String loadAfter, double busyBefore) {
	}

	private AssertionLatency() {
	}

	/** Windows filled before giving up on one whose count the kernel's skipped runs leave unsure. */
	private static final int ATTEMPTS = 3;

	/**
	 * The timings on a window the count assertion can answer for. A window in which the kernel
	 * skipped probe runs (an interrupt's softirq meeting a probe already running on its CPU, about
	 * one window in eight here: a burst of about 50) makes {@code hasCount} refuse, as it should;
	 * the timings want a window it answers, so that window is filled again.
	 */
	static Result measure(TraceSession context, VethNamespaces pair, Path sinkSource, Path workDir, double busyBefore)
			throws Exception {
		for (int attempt = 1;; attempt++) {
			try {
				return measureOnce(context, pair, sinkSource, workDir, busyBefore);
			} catch (TracingUnavailableException e) {
				if (attempt == ATTEMPTS) {
					throw e;
				}
				System.err.println("[bench] assertion latency: window " + attempt + " of " + ATTEMPTS
						+ " unsure, filling another: " + e.getMessage());
			}
		}
	}

	private static Result measureOnce(TraceSession context, VethNamespaces pair, Path sinkSource, Path workDir,
			double busyBefore) throws Exception {
		String loadBefore = loadAverage();
		Path sink = workDir.resolve("udpsink");
		Commands.run("gcc", "-O2", "-Wall", "-o", sink.toString(), sinkSource.toString());
		Process listener = startSink(sink, pair);
		try (Window timed = openWindow(context, Duration.ZERO, pair);
				Window waiting = openWindow(context, EXTENSION_AWAIT, pair)) {
			PacketTrace trace = timed.trace();
			long started = System.nanoTime();
			int dropped = 0;
			int delivered = 0;
			while (trace.events().size() < TARGET_EVENTS) {
				dropped += send(pair, DROPPED_PORT, ROUND);
				delivered += send(pair, DELIVERED_PORT, ROUND);
				trace.flush();
			}
			double fillSeconds = (System.nanoTime() - started) / 1e9;
			long sinkReceived = stopSink(listener);

			// The other window has not read anything yet: its first read decodes every record.
			long t0 = System.nanoTime();
			waiting.trace().events();
			double firstReadMs = (System.nanoTime() - t0) / 1e6;

			int expectedDropped = dropped;
			int[] messageChars = new int[1];
			List<Call> calls = List.of(
					new Call("trace.events()", "", () -> trace.events().size()),
					new Call("trace.paths()", "", () -> trace.paths().size()),
					new Call("packets(udp().dstPort(" + DROPPED_PORT + ")).hasCount(" + dropped + ")", "passes", () -> {
						assertThat(trace).packets(udp().dstPort(DROPPED_PORT)).hasCount(expectedDropped);
						return 0;
					}),
					new Call("packets(udp().dstPort(" + DROPPED_PORT + ")).wereDropped()", "passes", () -> {
						assertThat(trace).packets(udp().dstPort(DROPPED_PORT)).wereDropped();
						return 0;
					}),
					new Call("packets(udp().dstPort(" + DELIVERED_PORT + ")).wereNotDropped()", "passes", () -> {
						assertThat(trace).packets(udp().dstPort(DELIVERED_PORT)).wereNotDropped();
						return 0;
					}),
					new Call("packets(udp().dstPort(" + DROPPED_PORT + ")).wereDelivered()",
							"fails; message built (await timeout 0: one poll)", () -> messageChars[0] = failureMessage(
									() -> assertThat(trace).packets(udp().dstPort(DROPPED_PORT)).wereDelivered())));
			double[][] wall = new double[calls.size()][RUNS];
			double[][] cpu = new double[calls.size()][RUNS];
			// Round after round, so JIT and GC drift spread over every call alike.
			for (int run = 0; run < RUNS; run++) {
				for (int i = 0; i < calls.size(); i++) {
					double[] sample = time(calls.get(i).body());
					wall[i][run] = sample[0];
					cpu[i][run] = sample[1];
				}
			}
			List<Timing> timings = new ArrayList<>();
			for (int i = 0; i < calls.size(); i++) {
				timings.add(new Timing(calls.get(i).name(), calls.get(i).note(), Stats.of(wall[i]), Stats.of(cpu[i])));
			}
			double[] waitWall = new double[WAITING_RUNS];
			double[] waitCpu = new double[WAITING_RUNS];
			for (int run = 0; run < WAITING_RUNS; run++) {
				double[] sample = time(() -> failureMessage(
						() -> assertThat(waiting.trace()).packets(udp().dstPort(DROPPED_PORT)).wereDelivered()));
				waitWall[run] = sample[0];
				waitCpu[run] = sample[1];
			}
			timings.add(new Timing("packets(udp().dstPort(" + DROPPED_PORT + ")).wereDelivered()",
					"fails; message built (await timeout " + EXTENSION_AWAIT.toMillis() + " ms, the extension's"
							+ " default: polls until it expires)",
					Stats.of(waitWall), Stats.of(waitCpu)));
			return new Result(trace.events().size(), trace.paths().size(), dropped, delivered, sinkReceived,
					trace.lostEvents(), fillSeconds, firstReadMs, messageChars[0], timings, loadBefore, loadAverage(),
					busyBefore);
		} finally {
			listener.destroyForcibly();
		}
	}

	private record Call(String name, String note, IntSupplier body) {
	}

	/** {wall ms, this thread's CPU ms} of one call. */
	private static double[] time(IntSupplier body) {
		long cpu0 = THREADS.getCurrentThreadCpuTime();
		long t0 = System.nanoTime();
		body.getAsInt();
		long t1 = System.nanoTime();
		long cpu1 = THREADS.getCurrentThreadCpuTime();
		return new double[] {(t1 - t0) / 1e6, (cpu1 - cpu0) / 1e6};
	}

	/** Runs an assertion that must fail; returns the length of its message (which builds it). */
	private static int failureMessage(Runnable assertion) {
		try {
			assertion.run();
		} catch (AssertionError expected) {
			return expected.getMessage().length();
		}
		throw new IllegalStateException("the assertion was expected to fail");
	}

	private static int send(VethNamespaces pair, int port, int count) {
		return Traffic.fromNetnsPath(pair.leftPath()).udp().to(pair.rightAddress(), port).send(count);
	}

	private static Process startSink(Path binary, VethNamespaces pair) throws IOException {
		Process process = new ProcessBuilder("ip", "netns", "exec", pair.rightName(), binary.toString(),
				Integer.toString(DELIVERED_PORT)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
		BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
		String line = out.readLine();
		if (!"ready".equals(line)) {
			process.destroyForcibly();
			throw new IllegalStateException("udpsink did not start: " + line);
		}
		return process;
	}

	/** Stops the listener; returns how many datagrams it read. */
	private static long stopSink(Process process) throws IOException, InterruptedException {
		process.toHandle().destroy(); // SIGTERM (Process.destroy would also close its output): it prints its count
		if (!process.waitFor(10, TimeUnit.SECONDS)) {
			throw new IllegalStateException("udpsink did not stop");
		}
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		Matcher matcher = RECEIVED.matcher(output);
		if (!matcher.find()) {
			throw new IllegalStateException("udpsink failed: " + output);
		}
		return Long.parseLong(matcher.group(1));
	}

	/** The 1, 5 and 15 minute load averages, as uptime prints them. */
	static String loadAverage() {
		try {
			String[] fields = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
			return fields[0] + " " + fields[1] + " " + fields[2];
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
