package io.tracepackets.bench;

import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.internal.session.TraceSession;
import io.tracepackets.internal.session.ProbePart;
import io.tracepackets.internal.session.TracerOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each probe costs per run, as the kernel counts it, and what the probes cost the traffic:
 * the UDP flood (udpflood.c, one netns over a veth pair into a second where nothing listens, so
 * every packet is queued, transmitted, received and dropped NO_SOCKET) untraced, traced with the
 * flood's namespaces in scope, and traced with only another namespace in scope (the price every
 * other test's packets pay while one test traces).
 * <p>
 * A fourth condition, empty programs on the same five tracepoints with no tracer, shows the part
 * of the overhead that is the kernel's dispatch of any program there; a fifth, programs there that
 * only read each packet's namespace, the least that any scope check adds to it.
 * <p>
 * Four more, bench only, take a part of the probes away to show what it costs ({@link ProbePart}):
 * the exact counts, the interrupt guard, the packet's fields of each event, and every field but
 * the record's namespace and probe; with the out-of-scope cost (the scope check) and the floor
 * they split the in-scope cost per cause. A last one keeps every field but stages a CPU's events,
 * eight to a ring buffer record: how far batching could take the in-scope cost.
 * <p>
 * Packets/s: {@code rounds} rounds of the conditions, kernel accounting off (as users run),
 * each round in a rotated order so that a change of load hits all of them alike; ratios are taken
 * within a round, then their median. Each traced flood has a session of its own, started as the
 * extension starts it and closed after, so the untraced floods run with no program attached.
 * <p>
 * Per program: {@code statsRuns} floods per traced condition with
 * {@code kernel.bpf_stats_enabled=1}, the deltas of each program's {@code run_cnt} and
 * {@code run_time_ns} summed (the accounting itself adds a clock read to every run: an empty
 * program attached alongside, bpf/bench/floor.bpf.c, shows how much).
 */
final class ProbeCost {

	/** Packet bytes per event in the traced conditions (0, the default: none, as the extension runs by default). */
	static final String SNAP_PROPERTY = "tracepackets.bench.snap";
	/** An empty tp_btf program (bpf/bench/floor.bpf.c): what the accounting charges any run. */
	static final String FLOOR_PROGRAM = "accounting_floor";
	/** The flood's tracepoints, one empty program each in floor.bpf.c: what any program there costs. */
	private static final List<String> DISPATCH_PROGRAMS = List.of("dispatch_kfree_skb", "dispatch_net_dev_queue",
			"dispatch_net_dev_start_xmit", "dispatch_netif_rx", "dispatch_netif_receive_skb");
	/** The same tracepoints, each a program that reads the packet's namespace and nothing more (floor.bpf.c). */
	private static final List<String> SCOPE_READ_PROGRAMS = DISPATCH_PROGRAMS.stream()
			.map(name -> name.replace("dispatch_", "scope_read_")).toList();
	private static final String FLOOR_RESOURCE = "io/tracepackets/bpf/bench/floor.bpf.o";

	/**
	 * The conditions the out-of-scope target compares: the untraced flood, the empty programs (the
	 * floor), the namespace read and the probes out of scope. Their medians lie within a few points,
	 * about what packets/s swings between rounds on a shared machine, so after the rounds of every
	 * condition they run as many rounds again of the four alone: each of their medians is of twice
	 * the rounds.
	 */
	static final List<Condition> FLOOR_SIDE = List.of(Condition.UNTRACED, Condition.DISPATCH, Condition.SCOPE_READ,
			Condition.OUT_OF_SCOPE);

	enum Condition {
		UNTRACED("untraced (no tracer loaded)", null),
		DISPATCH("no tracer; an empty tp_btf program on each of the five tracepoints (bench only)", null),
		SCOPE_READ("no tracer; on each of the five tracepoints a program that reads the packet's namespace and"
				+ " compares it with one inode (bench only: the least a scope check costs)", null),
		IN_SCOPE("traced, the flood's two namespaces in scope", null),
		UNCOUNTED("traced, in scope, without the exact counts (bench only: what counting costs)", ProbePart.COUNTS),
		UNGUARDED("traced, in scope, the plain probes: interrupts on while they work (bench only: what the guard costs)",
				ProbePart.IRQ_GUARD),
		NO_PACKET_FIELDS("traced, in scope, events without the packet's fields (bench only: what reading the packet"
				+ " costs)", ProbePart.PACKET_FIELDS),
		RECORD_ONLY("traced, in scope, records holding only their namespace and probe (bench only: what the record"
				+ " alone costs)", ProbePart.EVENT_FIELDS),
		STAGED("traced, in scope, every field, but events staged per CPU and written eight to a ring buffer record"
				+ " (bench only: a bound for batching)", ProbePart.EVENT_RECORDS),
		OUT_OF_SCOPE("traced, another namespace in scope", null);

		final String label;
		/** The part of the probes this condition leaves out; null: none. */
		final ProbePart without;

		Condition(String label, ProbePart without) {
			this.label = label;
			this.without = without;
		}

		/** The in-scope tracers that leave a part out. */
		static List<Condition> partial() {
			return java.util.Arrays.stream(values()).filter(c -> c.without != null).toList();
		}
	}

	/** Summed counters of one traced condition's accounted floods. */
	record Accounted(List<ProgramStats.Counters> programs, long packets, double seconds, long emitted, long lost) {
		long totalNanos() {
			return probes().mapToLong(ProgramStats.Counters::nanos).sum();
		}

		/** Runs the kernel skipped, a probe already running on that CPU (recursion_misses). */
		long misses() {
			return probes().mapToLong(ProgramStats.Counters::misses).sum();
		}

		private java.util.stream.Stream<ProgramStats.Counters> probes() {
			return programs.stream().filter(p -> !p.name().equals("emit_marker") && !p.name().startsWith("accounting_f"));
		}
	}

	/**
	 * {@code accounted}: the accounted floods of {@link Condition#IN_SCOPE}, {@link Condition#OUT_OF_SCOPE},
	 * each {@link Condition#partial()} one, and the bare programs of {@link Condition#DISPATCH} and
	 * {@link Condition#SCOPE_READ}.
	 */
	record Result(TracerOptions options, int rounds, double seconds, Map<Condition, double[]> packetsPerSecond,
			Map<Condition, double[]> ratios, Map<Condition, double[]> cpuNanosPerPacket,
			Map<Condition, double[]> cpuRatios, Map<Condition, Accounted> accounted,
			String loadBefore, String loadAfter, double busyBefore) {

		Accounted inScope() {
			return accounted.get(Condition.IN_SCOPE);
		}

		Accounted outOfScope() {
			return accounted.get(Condition.OUT_OF_SCOPE);
		}

		/** BPF time per packet that what {@code partial} leaves out adds in scope: with it less without. */
		double partNanosPerPacket(Condition partial) {
			return nanosPerPacket(inScope()) - nanosPerPacket(accounted.get(partial));
		}

		/** Packets/s in scope ÷ without that part, the median of the rounds' ratios. */
		double inScopeRatio(Condition baseline) {
			double[] traced = packetsPerSecond.get(Condition.IN_SCOPE);
			double[] without = packetsPerSecond.get(baseline);
			double[] ratio = new double[traced.length];
			for (int i = 0; i < ratio.length; i++) {
				ratio[i] = traced[i] / without[i];
			}
			return Stats.of(ratio).median();
		}

		static double nanosPerPacket(Accounted accounted) {
			return accounted.packets() == 0 ? 0 : (double) accounted.totalNanos() / accounted.packets();
		}
	}

	private ProbeCost() {
	}

	static Result measure(UdpFlood flood, VethNamespaces pair, VethNamespaces other, double seconds, int rounds,
			int statsRuns, double busyBefore) throws InterruptedException {
		String loadBefore = loadAverage();
		// -Dtracepackets.bench.snap=128: the traced conditions copy that many packet bytes per event
		TracerOptions options = TracerOptions.defaults().withSnapLength(Integer.getInteger(SNAP_PROPERTY, 0));
		Map<Condition, double[]> rates = new LinkedHashMap<>();
		Map<Condition, double[]> ratios = new LinkedHashMap<>();
		Map<Condition, double[]> cpu = new LinkedHashMap<>();
		Map<Condition, double[]> cpuRatios = new LinkedHashMap<>();
		for (Condition c : Condition.values()) {
			int runs = FLOOR_SIDE.contains(c) ? 2 * rounds : rounds;
			rates.put(c, new double[runs]);
			ratios.put(c, new double[runs]);
			cpu.put(c, new double[runs]);
			cpuRatios.put(c, new double[runs]);
		}
		long[] scope = { pair.leftInode(), pair.rightInode() };
		long[] elsewhere = { other.leftInode() };
		// warm-up: the reader's JIT, the neighbour entries, the sockets' first allocations
		flood.run(1);
		try (TraceSession session = started(options)) {
			TracerFlood.measure(session, flood, 1, scope);
		}
		List<Condition> every = List.of(Condition.values());
		// every condition, then the floor side's alone (see FLOOR_SIDE): rounds after rounds
		for (int round = 0; round < 2 * rounds; round++) {
			List<Condition> conditions = round < rounds ? every : FLOOR_SIDE;
			int n = conditions.size();
			for (int k = 0; k < n; k++) {
				Condition c = conditions.get((round + k) % n);
				UdpFlood.Result result = switch (c) {
					case UNTRACED -> flood.run(seconds);
					case DISPATCH -> bareProgramsOnly(flood, seconds, DISPATCH_PROGRAMS);
					case SCOPE_READ -> bareProgramsOnly(flood, seconds, SCOPE_READ_PROGRAMS);
					default -> {
						try (TraceSession session = started(optionsOf(c, options))) {
							yield TracerFlood.measure(session, flood, seconds, c != Condition.OUT_OF_SCOPE ? scope
									: elsewhere).flood();
						}
					}
				};
				double pps = result.packetsPerSecond();
				cpu.get(c)[round] = result.packets() == 0 ? 0 : result.cpuMillis() * 1e6 / result.packets();
				rates.get(c)[round] = pps;
				step(String.format(java.util.Locale.ROOT, "round %d: %s %.1f k packets/s", round + 1, c, pps / 1e3));
			}
			for (Condition c : conditions) {
				ratios.get(c)[round] = rates.get(c)[round] / rates.get(Condition.UNTRACED)[round];
				cpuRatios.get(c)[round] = cpu.get(Condition.UNTRACED)[round] / cpu.get(c)[round];
			}
		}
		Map<Condition, Accounted> accounted = new java.util.EnumMap<>(Condition.class);
		List<Accounted> inAndOut = accounted(options, flood, seconds, statsRuns, scope, elsewhere);
		accounted.put(Condition.IN_SCOPE, inAndOut.get(0));
		accounted.put(Condition.OUT_OF_SCOPE, inAndOut.get(1));
		for (Condition partial : Condition.partial()) {
			accounted.put(partial, accounted(optionsOf(partial, options), flood, seconds, statsRuns, scope).getFirst());
		}
		accounted.put(Condition.DISPATCH, bareProgramsAccounted(flood, seconds, statsRuns, DISPATCH_PROGRAMS));
		accounted.put(Condition.SCOPE_READ, bareProgramsAccounted(flood, seconds, statsRuns, SCOPE_READ_PROGRAMS));
		return new Result(options, rounds, seconds, rates, ratios, cpu, cpuRatios, accounted, loadBefore,
				loadAverage(), busyBefore);
	}

	/** The tracer a traced condition runs: the bench-only baselines leave a part of the probes out. */
	private static TracerOptions optionsOf(Condition c, TracerOptions options) {
		return c.without == null ? options : options.without(c.without);
	}

	/**
	 * The accounted floods of one tracer of its own (with the floor program beside it), one per
	 * scope, in order.
	 */
	private static List<Accounted> accounted(TracerOptions options, UdpFlood flood, double seconds, int statsRuns,
			long[]... scopes) throws InterruptedException {
		try (TraceSession session = started(options);
				BpfObject floor = BpfObject.openResource(FLOOR_RESOURCE, "tp_floor")) {
			floor.load();
			try (var link = floor.program(FLOOR_PROGRAM).attach();
					ProgramStats.Enabled ignored = ProgramStats.Enabled.turnOn()) {
				List<Accounted> result = new ArrayList<>();
				for (long[] scope : scopes) {
					result.add(accounted(session, flood, seconds, statsRuns, scope));
				}
				return result;
			}
		}
	}

	/**
	 * The flood with only {@code programs} of floor.bpf.c attached, one per tracepoint (no tracer,
	 * no maps, no reader).
	 */
	private static UdpFlood.Result bareProgramsOnly(UdpFlood flood, double seconds, List<String> programs)
			throws InterruptedException {
		return withBarePrograms(programs, () -> flood.run(seconds));
	}

	/**
	 * {@code runs} floods with only {@code programs} of floor.bpf.c attached and the kernel's
	 * accounting on: their BPF time per packet, measured as the probes' is. Out of scope, the
	 * probes' time against the namespace read's and the empty programs' is what the scope check
	 * adds beyond the least one can do, without the flood-to-flood noise of the packets/s ratios.
	 */
	private static Accounted bareProgramsAccounted(UdpFlood flood, double seconds, int runs, List<String> programs)
			throws InterruptedException {
		return withBarePrograms(programs, () -> {
			try (ProgramStats.Enabled ignored = ProgramStats.Enabled.turnOn()) {
				return accountedRuns(runs, () -> new Run(flood.run(seconds), 0, 0));
			}
		});
	}

	private interface Flooded<T> {
		T run() throws InterruptedException;
	}

	private static <T> T withBarePrograms(List<String> programs, Flooded<T> flood) throws InterruptedException {
		try (BpfObject empty = BpfObject.openResource(FLOOR_RESOURCE, "tp_floor")) {
			empty.load();
			List<AutoCloseable> links = new ArrayList<>();
			try {
				for (String program : programs) {
					links.add(empty.program(program).attach());
				}
				Thread.sleep(300);
				return flood.run();
			} finally {
				for (AutoCloseable link : links) {
					try {
						link.close();
					} catch (Exception e) {
						throw new IllegalStateException(e);
					}
				}
			}
		}
	}

	/**
	 * A session as the extension starts it, then a collection and a second of quiet: starting
	 * parses kallsyms and BTF into garbage that a concurrent collector would otherwise clean up
	 * during the flood, on the CPUs the flood needs (the untraced floods start no session).
	 */
	static TraceSession started(TracerOptions options) throws InterruptedException {
		TraceSession session = TraceSession.start(options);
		System.gc();
		Thread.sleep(1000);
		return session;
	}

	static Accounted accounted(TraceSession session, UdpFlood flood, double seconds, int runs, long[] scope)
			throws InterruptedException {
		return accountedRuns(runs, () -> {
			TracerFlood.Result r = TracerFlood.measure(session, flood, seconds, scope);
			return new Run(r.flood(), r.emitted(), r.lost());
		});
	}

	/** One accounted flood: the flood, and what the probes emitted and lost during it. */
	private record Run(UdpFlood.Result flood, long emitted, long lost) {
	}

	/** {@code runs} floods, each program's counters summed over them (accounting on meanwhile). */
	private static Accounted accountedRuns(int runs, Flooded<Run> flood) throws InterruptedException {
		Map<String, ProgramStats.Counters> sum = new LinkedHashMap<>();
		long packets = 0;
		long emitted = 0;
		long lost = 0;
		double time = 0;
		for (int i = 0; i < runs; i++) {
			var before = ProgramStats.snapshot();
			Run r = flood.run();
			for (ProgramStats.Counters d : ProgramStats.delta(before, ProgramStats.snapshot())) {
				sum.merge(d.name(), d, ProgramStats.Counters::plus);
			}
			packets += r.flood().packets();
			time += r.flood().seconds();
			emitted += r.emitted();
			lost += r.lost();
		}
		List<ProgramStats.Counters> programs = new ArrayList<>(sum.values());
		programs.sort((a, b) -> Long.compare(b.nanos(), a.nanos()));
		return new Accounted(programs, packets, time, emitted, lost);
	}

	static String loadAverage() {
		try {
			String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
			return fields[0] + " " + fields[1] + " " + fields[2];
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static void step(String what) {
		System.err.println("[bench] " + what);
	}
}
