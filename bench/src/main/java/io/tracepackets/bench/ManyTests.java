package io.tracepackets.bench;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;

import io.tracepackets.internal.session.TraceSession;
import io.tracepackets.internal.window.TraceWindow;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import io.tracepackets.traffic.UdpTraffic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a suite of short traced tests leaves behind in one JVM (issue 25): {@code tests} windows one
 * after the other on one tracer, each as {@code @TracePackets} opens it, scoped to both namespaces
 * of a veth pair, sending a few datagrams to a port nobody listens on and asserting their drops,
 * then closed. Every {@code every} tests: the heap after a full GC, the resident set then (the
 * event store's chunks are native memory, which the heap does not show), the open file
 * descriptors and the threads. A leak shows as a slope.
 */
final class ManyTests {

	/** Long enough to see the resident set level off after the JVM's own warm-up (heap pages touched, code compiled). */
	static final int TESTS = 1600;
	static final int EVERY = 400;
	private static final int DATAGRAMS = 5;
	private static final int PORT = 9;

	/** After {@code tests} tests: heap after GC and committed, VmRSS right after, open fds, live threads. */
	record Sample(int tests, long heap, long committedHeap, long rss, long fds, int threads) {
	}

	record Result(List<Sample> samples) {

		Sample first() {
			return samples.getFirst();
		}

		Sample last() {
			return samples.getLast();
		}

		/** Heap growth per 100 tests, from the first sample to the last. */
		double heapPerHundredTests() {
			return (last().heap() - first().heap()) * 100.0 / (last().tests() - first().tests());
		}
	}

	private ManyTests() {
	}

	static Result measure(TraceSession session, VethNamespaces pair) {
		UdpTraffic sender = Traffic.fromNetnsPath(pair.leftPath()).udp();
		List<Sample> samples = new ArrayList<>();
		// a few tests first, so that the sample at 0 holds what any run loads once (classes, caches)
		for (int i = 0; i < 20; i++) {
			oneTest(session, pair, sender);
		}
		samples.add(sample(0));
		for (int test = 1; test <= TESTS; test++) {
			oneTest(session, pair, sender);
			if (test % EVERY == 0) {
				samples.add(sample(test));
			}
		}
		return new Result(samples);
	}

	private static void oneTest(TraceSession session, VethNamespaces pair, UdpTraffic sender) {
		try (TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(5))) {
			trace.scope(pair.leftPath());
			trace.scope(pair.rightPath());
			sender.to(pair.rightAddress(), PORT).send(DATAGRAMS);
			assertThat(trace).packets(udp().dstPort(PORT)).hasCount(DATAGRAMS).wereDropped();
		}
	}

	private static Sample sample(int tests) {
		long heap = MemoryFootprint.heapAfterGc();
		long rss = MemoryFootprint.rss();
		long fds;
		try (Stream<Path> open = Files.list(Path.of("/proc/self/fd"))) {
			fds = open.count() - 1; // less the listing's own
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		long committed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
		return new Sample(tests, heap, committed, rss, fds, ManagementFactory.getThreadMXBean().getThreadCount());
	}

	static String describe(Result r) {
		StringBuilder out = new StringBuilder(TESTS + " short traced tests in one JVM:");
		for (Sample s : r.samples()) {
			out.append(String.format(java.util.Locale.ROOT, " [%d: heap %s, RSS %s, %d fds, %d threads]", s.tests(),
					MemoryFootprint.mib(s.heap()), MemoryFootprint.mib(s.rss()), s.fds(), s.threads()));
		}
		return out.toString();
	}
}
