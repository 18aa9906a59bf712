package io.tracepackets.bench;

import io.tracepackets.internal.session.TraceSession;
import io.tracepackets.internal.session.TracerOptions;
import io.tracepackets.testing.VethNamespaces;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What an in-kernel pcap filter costs: the UDP flood (every datagram to port {@link UdpFlood#PORT})
 * traced with the flood's namespaces in scope, (a) with no filter, (b) with a filter that matches
 * none of its packets, (c) with one that matches all of them. The two filters have the same shape
 * ({@code udp dst port N}), so (b) and (c) run the same instructions up to the last comparison.
 * Packets/s and events/s: {@code rounds} rounds of the three, in a rotated order, each flood on a
 * session of its own; then, with {@code kernel.bpf_stats_enabled=1}, one flood per condition for
 * the probes' ns per run (all the tracer's programs, run_time_ns ÷ run_cnt).
 */
final class FilterCost {

	enum Condition {
		NO_FILTER("no filter", null),
		MATCHES_NOTHING("filter matching nothing", "udp dst port " + (UdpFlood.PORT + 1)),
		MATCHES_ALL("filter matching all", "udp dst port " + UdpFlood.PORT);

		final String label;
		final String expression;

		Condition(String label, String expression) {
			this.label = label;
			this.expression = expression;
		}
	}

	record Result(int rounds, double seconds, Map<Condition, double[]> packetsPerSecond,
			Map<Condition, double[]> eventsPerSecond, Map<Condition, Double> nsPerRun, Map<Condition, Long> runs,
			Map<Condition, Double> probeNanosPerPacket, String loadBefore, String loadAfter) {
	}

	private FilterCost() {
	}

	static Result measure(UdpFlood flood, VethNamespaces pair, double seconds, int rounds) throws InterruptedException {
		String loadBefore = ProbeCost.loadAverage();
		Map<Condition, double[]> packets = new LinkedHashMap<>();
		Map<Condition, double[]> events = new LinkedHashMap<>();
		for (Condition c : Condition.values()) {
			packets.put(c, new double[rounds]);
			events.put(c, new double[rounds]);
		}
		long[] scope = { pair.leftInode(), pair.rightInode() };
		flood.run(1); // warm-up: neighbour entries, first allocations
		int n = Condition.values().length;
		for (int round = 0; round < rounds; round++) {
			for (int k = 0; k < n; k++) {
				Condition c = Condition.values()[(round + k) % n];
				try (TraceSession session = started(c)) {
					TracerFlood.Result r = TracerFlood.measure(session, flood, seconds, scope);
					packets.get(c)[round] = r.flood().packetsPerSecond();
					events.get(c)[round] = r.emittedPerSecond();
					step(String.format(Locale.ROOT, "round %d: %s %.1f k packets/s, %.1f k events/s", round + 1,
							c.label, r.flood().packetsPerSecond() / 1e3, r.emittedPerSecond() / 1e3));
				}
			}
		}
		Map<Condition, Double> nsPerRun = new LinkedHashMap<>();
		Map<Condition, Long> runs = new LinkedHashMap<>();
		Map<Condition, Double> perPacket = new LinkedHashMap<>();
		for (Condition c : Condition.values()) {
			try (TraceSession session = started(c); ProgramStats.Enabled ignored = ProgramStats.Enabled.turnOn()) {
				var before = ProgramStats.snapshot();
				TracerFlood.Result r = TracerFlood.measure(session, flood, seconds, scope);
				var after = ProgramStats.snapshot();
				List<ProgramStats.Counters> probes = new ArrayList<>();
				for (ProgramStats.Counters d : ProgramStats.delta(before, after)) {
					if (!d.name().equals("emit_marker")) {
						probes.add(d);
					}
				}
				long nanos = probes.stream().mapToLong(ProgramStats.Counters::nanos).sum();
				long count = probes.stream().mapToLong(ProgramStats.Counters::runs).sum();
				nsPerRun.put(c, count == 0 ? 0 : (double) nanos / count);
				runs.put(c, count);
				perPacket.put(c, r.flood().packets() == 0 ? 0 : (double) nanos / r.flood().packets());
			}
		}
		return new Result(rounds, seconds, packets, events, nsPerRun, runs, perPacket, loadBefore,
				ProbeCost.loadAverage());
	}

	private static TraceSession started(Condition c) throws InterruptedException {
		TraceSession session = TraceSession.start(TracerOptions.defaults().withPcapFilter(c.expression));
		System.gc();
		Thread.sleep(1000);
		return session;
	}

	private static void step(String what) {
		System.err.println("[bench] " + what);
	}
}
