package io.tracepackets.bench;

import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.internal.trace.TraceContext;
import io.tracepackets.internal.tracer.TracerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Measures, in one run, what TracePackets costs and sustains, and writes docs/benchmarks.md:
 * cold start, per-test overhead, reader throughput (synthetic and on a UDP flood) and the same
 * flood under bpftrace. Needs root. Usage (scripts/bench does this):
 * {@code java --enable-native-access=ALL-UNNAMED -cp ... io.tracepackets.bench.Bench [--out docs/benchmarks.md]
 * [--flood-source bench/src/main/c/udpflood.c] [--work bench/target] [--seconds 3] [--revision abc123]}
 */
public final class Bench {

	private static final int COLD_STARTS = 5;
	private static final int OVERHEAD_WARMUP = 20;
	private static final int OVERHEAD_RUNS = 200;
	static final String VM_SECTION_START = "<!-- vm-bench:start -->";
	static final String VM_SECTION_END = "<!-- vm-bench:end -->";

	private Bench() {
	}

	public static void main(String[] args) throws Exception {
		Path out = Path.of(option(args, "--out", "docs/benchmarks.md"));
		Path floodSource = Path.of(option(args, "--flood-source", "bench/src/main/c/udpflood.c"));
		Path work = Path.of(option(args, "--work", "bench/target"));
		double seconds = Double.parseDouble(option(args, "--seconds", "3"));
		UdpFlood.checkSource(floodSource);
		Files.createDirectories(work);

		Report report = new Report(Machine.describe(option(args, "--revision", "unknown")), seconds);
		report.background(backgroundLoad());
		try (VethNamespaces pair = VethNamespaces.create()) {
			UdpFlood flood = UdpFlood.compile(floodSource, work, pair);
			step("flood without tracing");
			report.baseline(flood.run(seconds));

			step("cold start x" + COLD_STARTS);
			report.coldStart(ColdStart.measure(COLD_STARTS));

			try (TraceContext context = TraceContext.start(TracerOptions.defaults().withBenchmarkPrograms())) {
				step("per-test overhead x" + OVERHEAD_RUNS);
				report.perTest(PerTestOverhead.measure(context, pair.rightPath(), OVERHEAD_WARMUP, OVERHEAD_RUNS));
				step("synthetic reader throughput");
				report.synthetic(SyntheticThroughput.measure(context.tracer(), seconds));
				step("flood with the tracer");
				report.tracerFlood(TracerFlood.measure(context.tracer(), flood, pair, seconds));
			}

			step("flood with bpftrace (tracer closed)");
			report.bpftraceFlood(BpftraceFlood.measure(flood, pair, seconds, work));
		}
		String markdown = report.markdown();
		Files.createDirectories(out.toAbsolutePath().getParent());
		Files.writeString(out, markdown + keptVmSection(out));
		System.out.println(markdown);
		step("wrote " + out);
	}

	/**
	 * The section scripts/bench-vm maintains in the same file (kernel-function attach, measured in
	 * the kernel VM), between its HTML comment markers: kept when this bench rewrites the file.
	 */
	static String keptVmSection(Path out) throws java.io.IOException {
		if (!Files.exists(out)) {
			return "";
		}
		String text = Files.readString(out);
		int start = text.indexOf(VM_SECTION_START);
		int end = text.indexOf(VM_SECTION_END, Math.max(start, 0));
		if (start < 0 || end < 0) {
			return "";
		}
		return "\n" + text.substring(start, end + VM_SECTION_END.length()) + "\n";
	}

	/** Busy cores before the bench starts: other work on the machine skews every number here. */
	private static double backgroundLoad() throws InterruptedException {
		CpuUsage cpu = CpuUsage.start();
		Thread.sleep(1000);
		return cpu.stop().machineCores();
	}

	private static void step(String what) {
		System.err.println("[bench] " + what);
	}

	private static String option(String[] args, String name, String fallback) {
		List<String> list = List.of(args);
		int index = list.indexOf(name);
		return index >= 0 && index + 1 < list.size() ? list.get(index + 1) : fallback;
	}
}
