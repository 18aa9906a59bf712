package io.tracepackets.bench;

import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.internal.session.TraceSession;
import io.tracepackets.internal.session.TracerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Measures, in one run, what TracePackets costs and sustains, and writes docs/benchmarks.md:
 * cold start, per-test overhead, reader throughput (synthetic and on a UDP flood), the same
 * flood under bpftrace, and assertion latency on a 100 k-event window. Needs root. Usage
 * (scripts/bench does this):
 * {@code java --enable-native-access=ALL-UNNAMED -cp ... io.tracepackets.bench.Bench [--out docs/benchmarks.md]
 * [--flood-source bench/src/main/c/udpflood.c] [--work bench/target] [--seconds 3] [--revision abc123] [assertions]}
 * <p>
 * {@code assertions} runs only the assertion-latency section and replaces only its block of the
 * file (between its markers), keeping the rest; {@code probes} likewise the probe-cost section
 * (per-program ns per run from the kernel's accounting, packets/s traced and untraced;
 * {@code --rounds 9}); {@code filters} likewise the in-kernel pcap filter's cost (no filter, one
 * matching nothing, one matching all). {@code startup} measures only what a test pays (cold start and
 * per-test overhead, {@code --rounds} times, a fresh cold-start series and per-test series each round)
 * and prints it without writing the file: for comparing a change before and after, interleaved.
 */
public final class Bench {

	private static final int COLD_STARTS = 5;
	private static final int OVERHEAD_WARMUP = 20;
	private static final int OVERHEAD_RUNS = 200;
	static final String VM_SECTION_START = "<!-- vm-bench:start -->";
	static final String VM_SECTION_END = "<!-- vm-bench:end -->";
	static final String ASSERTIONS_SECTION_START = "<!-- assertion-latency:start -->";
	static final String ASSERTIONS_SECTION_END = "<!-- assertion-latency:end -->";
	static final String ASSERTIONS = "assertions";
	static final String PROBES_SECTION_START = "<!-- probe-cost:start -->";
	static final String PROBES_SECTION_END = "<!-- probe-cost:end -->";
	/** Hand-written comparisons (before/after a change), kept by every run of this bench. */
	static final String PROBES_HISTORY_START = "<!-- probe-cost-history:start -->";
	static final String PROBES_HISTORY_END = "<!-- probe-cost-history:end -->";
	/** scripts/bench-vm --probes' section (function backends' probe cost in the kernel VM): kept. */
	static final String VM_PROBES_START = "<!-- vm-probe-cost:start -->";
	static final String VM_PROBES_END = "<!-- vm-probe-cost:end -->";
	static final String PROBES = "probes";
	static final String FILTERS_SECTION_START = "<!-- filter-cost:start -->";
	static final String FILTERS_SECTION_END = "<!-- filter-cost:end -->";
	static final String FILTERS = "filters";
	static final String STARTUP = "startup";
	static final String MEMORY = "memory";
	static final String MEMORY_SECTION_START = "<!-- memory:start -->";
	static final String MEMORY_SECTION_END = "<!-- memory:end -->";
	/** Hand-written memory comparisons (before/after a change), kept by every run of this bench. */
	static final String MEMORY_HISTORY_START = "<!-- memory-history:start -->";
	static final String MEMORY_HISTORY_END = "<!-- memory-history:end -->";
	private static final int FILTER_ROUNDS = 3;
	private static final int PROBE_ROUNDS = 9;
	private static final int PROBE_STATS_RUNS = 2;

	private Bench() {
	}

	public static void main(String[] args) throws Exception {
		Path out = Path.of(option(args, "--out", "docs/benchmarks.md"));
		Path floodSource = Path.of(option(args, "--flood-source", "bench/src/main/c/udpflood.c"));
		Path work = Path.of(option(args, "--work", "bench/target"));
		double seconds = Double.parseDouble(option(args, "--seconds", "3"));
		UdpFlood.checkSource(floodSource);
		Path sinkSource = floodSource.resolveSibling("udpsink.c");
		UdpFlood.checkSource(sinkSource);
		Files.createDirectories(work);
		Files.createDirectories(out.toAbsolutePath().getParent());
		if (List.of(args).contains(MEMORY)) {
			memoryOnly(out, floodSource, work, Double.parseDouble(option(args, "--memory-seconds", "20")),
					Path.of(option(args, "--cli-jar", "cli/target/tracepackets-cli.jar")),
					option(args, "--revision", "unknown"), List.of(args).contains("--print"));
			return;
		}
		if (List.of(args).contains(ASSERTIONS)) {
			assertionsOnly(out, sinkSource, work, option(args, "--revision", "unknown"));
			return;
		}
		int rounds = Integer.parseInt(option(args, "--rounds", Integer.toString(PROBE_ROUNDS)));
		if (List.of(args).contains(STARTUP)) {
			startupOnly(rounds);
			return;
		}
		if (List.of(args).contains(FILTERS)) {
			Machine machine = Machine.describe(option(args, "--revision", "unknown"));
			String section;
			try (VethNamespaces pair = VethNamespaces.create()) {
				UdpFlood flood = UdpFlood.compile(floodSource, work, pair);
				step("filter cost: " + FILTER_ROUNDS + " rounds of no filter / matching nothing / matching all");
				section = Report.filterSection(machine, FilterCost.measure(flood, pair, seconds, FILTER_ROUNDS));
			}
			String text = Files.exists(out) ? Files.readString(out) : "";
			Files.writeString(out, withSection(text, FILTERS_SECTION_START, FILTERS_SECTION_END, section));
			System.out.println(section);
			step("wrote the filter-cost section of " + out);
			return;
		}
		if (List.of(args).contains(PROBES)) {
			Machine machine = Machine.describe(option(args, "--revision", "unknown"));
			String section = Report.probeSection(machine, probeCost(floodSource, work, seconds, rounds));
			String text = Files.exists(out) ? Files.readString(out) : "";
			Files.writeString(out, withSection(text, PROBES_SECTION_START, PROBES_SECTION_END, section));
			System.out.println(section);
			step("wrote the probe-cost section of " + out);
			return;
		}

		Report report = new Report(Machine.describe(option(args, "--revision", "unknown")), seconds);
		report.background(backgroundLoad());
		String assertions;
		try (VethNamespaces pair = VethNamespaces.create()) {
			UdpFlood flood = UdpFlood.compile(floodSource, work, pair);
			step("flood without tracing");
			report.baseline(flood.run(seconds));

			step("cold start x" + COLD_STARTS);
			report.coldStart(ColdStart.measure(COLD_STARTS));

			try (TraceSession context = TraceSession.start(TracerOptions.defaults())) {
				step("per-test overhead x" + OVERHEAD_RUNS);
				report.perTest(PerTestOverhead.measure(context, pair.rightPath(), OVERHEAD_WARMUP, OVERHEAD_RUNS));
				step("synthetic reader throughput");
				report.synthetic(SyntheticThroughput.measure(context, seconds));
				step("flood with the tracer: a first one, then the measured one");
				report.firstTracerFlood(TracerFlood.measure(context, flood, pair, 1));
				report.tracerFlood(TracerFlood.measure(context, flood, pair, seconds));
				step("assertion latency on a " + AssertionLatency.TARGET_EVENTS + "-event window");
				assertions = Report.assertionSection(report.machine(), AssertionLatency.measure(context, pair,
						sinkSource, work, backgroundLoad()));
			}

			step("flood with bpftrace (tracer closed)");
			report.bpftraceFlood(BpftraceFlood.measure(flood, pair, seconds, work));
		}
		ProbeCost.Result probeCost = probeCost(floodSource, work, seconds, rounds);
		report.probeCost(probeCost);
		String probes = Report.probeSection(report.machine(), probeCost);
		String markdown = report.markdown();
		Files.writeString(out, markdown + "\n" + assertions + "\n" + probes
				+ kept(out, PROBES_HISTORY_START, PROBES_HISTORY_END) + kept(out, FILTERS_SECTION_START, FILTERS_SECTION_END)
				+ kept(out, MEMORY_SECTION_START, MEMORY_SECTION_END) + kept(out, MEMORY_HISTORY_START, MEMORY_HISTORY_END)
				+ kept(out, VM_SECTION_START, VM_SECTION_END) + kept(out, VM_PROBES_START, VM_PROBES_END));
		System.out.println(markdown + "\n" + assertions + "\n" + probes);
		step("wrote " + out);
	}

	/**
	 * {@code scripts/bench startup}: cold start and per-test overhead alone, {@code rounds} times,
	 * printed (medians per round, then the median of the rounds' medians); the file is not written,
	 * as a run on a busy machine compares a change with itself but says nothing absolute.
	 */
	private static void startupOnly(int rounds) throws Exception {
		double[] coldMedians = new double[rounds];
		double[] perTestMedians = new double[rounds];
		try (VethNamespaces pair = VethNamespaces.create()) {
			for (int round = 0; round < rounds; round++) {
				List<ColdStart.Run> starts = ColdStart.measure(COLD_STARTS);
				PerTestOverhead.Result perTest;
				try (TraceSession context = TraceSession.start(TracerOptions.defaults())) {
					perTest = PerTestOverhead.measure(context, pair.rightPath(), OVERHEAD_WARMUP, OVERHEAD_RUNS);
				}
				Stats total = Stats.of(starts.stream().mapToDouble(ColdStart.Run::totalMs).toArray());
				Stats load = Stats.of(starts.stream().mapToDouble(ColdStart.Run::loadMs).toArray());
				Stats names = Stats.of(starts.stream().mapToDouble(ColdStart.Run::namesMs).toArray());
				coldMedians[round] = total.median();
				perTestMedians[round] = perTest.total().median();
				System.out.printf(java.util.Locale.ROOT, "round %d: cold start median %.1f ms (first %.1f, load %.1f,"
						+ " rest %.1f); per test median %.3f ms (open+scope %.3f, flush %.3f, close %.3f; p90 %.3f)%n",
						round + 1, total.median(), starts.getFirst().totalMs(), load.median(), names.median(),
						perTest.total().median(), perTest.openAndScope().median(), perTest.flush().median(),
						perTest.close().median(), perTest.total().percentile(90));
			}
		}
		System.out.printf(java.util.Locale.ROOT, "startup: cold start %.1f ms, per test %.3f ms (medians of %d rounds)%n",
				Stats.of(coldMedians).median(), Stats.of(perTestMedians).median(), rounds);
	}

	/**
	 * {@code scripts/bench memory}: what a flood of {@code seconds} costs in memory, on a tracer
	 * started as the extension starts it (its default event store budget), then the command line's
	 * resident set under a 40 s flood (its jar, {@code cliJar}); {@code --print} prints the figures
	 * without writing the file.
	 */
	private static void memoryOnly(Path out, Path floodSource, Path work, double seconds, Path cliJar,
			String revision, boolean printOnly) throws Exception {
		Machine machine = Machine.describe(revision);
		List<MemoryFootprint.Result> results = new java.util.ArrayList<>();
		for (MemoryFootprint.Run run : MemoryFootprint.RUNS) {
			step("memory: a " + seconds + " s flood into one window (event store " + MemoryFootprint.mib(run.budget())
					+ "), then events() and paths(), in a JVM of its own" + (run.jvmOptions().isEmpty() ? ""
							: " (" + String.join(" ", run.jvmOptions()) + ")"));
			MemoryFootprint.Result result = MemoryFootprint.inFreshJvm(run.jvmOptions(), floodSource, work, seconds,
					run.budget());
			System.out.println("peak RSS " + MemoryFootprint.mib(result.rssPeak()));
			results.add(result);
		}
		if (!Files.isRegularFile(cliJar)) {
			throw new IllegalStateException(cliJar + " is missing: build the command line's jar first"
					+ " (./mvnw -pl cli -am package -DskipTests), or give its path with --cli-jar");
		}
		CliFootprint.Result cli;
		try (VethNamespaces pair = VethNamespaces.create()) {
			step("memory: the command line (" + cliJar + ") under a " + CliFootprint.SECONDS + " s flood");
			cli = CliFootprint.measure(cliJar, pair, UdpFlood.compile(floodSource, work, pair), work);
			System.out.println(CliFootprint.describe(cli));
		}
		ManyTests.Result many;
		try (VethNamespaces pair = VethNamespaces.create(); TraceSession session = TraceSession.start(TracerOptions.defaults())) {
			step("memory: " + ManyTests.TESTS + " short traced tests in one JVM");
			many = ManyTests.measure(session, pair);
			System.out.println(ManyTests.describe(many));
		}
		if (printOnly) {
			return;
		}
		String section = Report.memorySection(machine, results, cli, many);
		String text = Files.exists(out) ? Files.readString(out) : "";
		Files.writeString(out, withSection(text, MEMORY_SECTION_START, MEMORY_SECTION_END, section));
		System.out.println(section);
		step("wrote the memory section of " + out);
	}

	/**
	 * {@code scripts/bench assertions}: the assertion-latency section alone (seconds, not the
	 * minutes of the bpftrace comparisons), on a tracer started as the extension starts it.
	 */
	private static void assertionsOnly(Path out, Path sinkSource, Path work, String revision) throws Exception {
		Machine machine = Machine.describe(revision);
		String section;
		try (VethNamespaces pair = VethNamespaces.create();
				TraceSession context = TraceSession.start(TracerOptions.defaults())) {
			step("assertion latency on a " + AssertionLatency.TARGET_EVENTS + "-event window");
			section = Report.assertionSection(machine, AssertionLatency.measure(context, pair, sinkSource, work,
					backgroundLoad()));
		}
		String text = Files.exists(out) ? Files.readString(out) : "";
		Files.writeString(out, withAssertionSection(text, section));
		System.out.println(section);
		step("wrote the assertion-latency section of " + out);
	}

	/**
	 * {@code scripts/bench probes}: per-program cost (kernel accounting) and packets/s, on two veth
	 * pairs of its own (the flood's, and a third namespace to scope instead), with
	 * {@code kernel.bpf_stats_enabled} set only around the accounted floods.
	 */
	private static ProbeCost.Result probeCost(Path floodSource, Path work, double seconds, int rounds)
			throws Exception {
		double busy = backgroundLoad();
		try (VethNamespaces pair = VethNamespaces.create(); VethNamespaces other = VethNamespaces.create()) {
			UdpFlood flood = UdpFlood.compile(floodSource, work, pair);
			step("probe cost: " + rounds + " rounds of untraced / empty programs / in scope / out of scope, then bpf_stats");
			return ProbeCost.measure(flood, pair, other, seconds, rounds, PROBE_STATS_RUNS, busy);
		}
	}

	/** {@code text} with its assertion-latency block replaced, or inserted before the VM section. */
	static String withAssertionSection(String text, String section) {
		return withSection(text, ASSERTIONS_SECTION_START, ASSERTIONS_SECTION_END, section);
	}

	/** {@code text} with the block between {@code startMarker} and {@code endMarker} replaced, or inserted before the VM section. */
	static String withSection(String text, String startMarker, String endMarker, String section) {
		int start = text.indexOf(startMarker);
		int end = text.indexOf(endMarker, Math.max(start, 0));
		if (start >= 0 && end >= 0) {
			int after = end + endMarker.length();
			if (after < text.length() && text.charAt(after) == '\n') {
				after++;
			}
			return text.substring(0, start) + section + text.substring(after);
		}
		int vm = text.indexOf(VM_SECTION_START);
		if (vm >= 0) {
			return text.substring(0, vm) + section + "\n" + text.substring(vm);
		}
		return text + (text.isEmpty() || text.endsWith("\n\n") ? "" : "\n") + section;
	}

	/**
	 * The section scripts/bench-vm maintains in the same file (kernel-function attach, measured in
	 * the kernel VM), between its HTML comment markers: kept when this bench rewrites the file.
	 */
	static String keptVmSection(Path out) throws java.io.IOException {
		return kept(out, VM_SECTION_START, VM_SECTION_END);
	}

	/** A block of the file between its markers, markers included, that a full run must keep; "" when absent. */
	static String kept(Path out, String startMarker, String endMarker) throws java.io.IOException {
		if (!Files.exists(out)) {
			return "";
		}
		String text = Files.readString(out);
		int start = text.indexOf(startMarker);
		int end = text.indexOf(endMarker, Math.max(start, 0));
		if (start < 0 || end < 0) {
			return "";
		}
		return "\n" + text.substring(start, end + endMarker.length()) + "\n";
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
