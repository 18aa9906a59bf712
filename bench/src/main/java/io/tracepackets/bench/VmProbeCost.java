package io.tracepackets.bench;

import io.tracepackets.Backend;
import io.tracepackets.internal.session.TraceSession;
import io.tracepackets.internal.session.TracerOptions;
import io.tracepackets.testing.VethNamespaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The probe-cost measure of {@link ProbeCost} for the function backends, inside a Debian kernel
 * under qemu ({@code scripts/bench-vm --probes}): the host kernel has no kprobes and refuses
 * fentry. Per backend, one session with the extension's default function set (every skb
 * function), the flood in scope and out of scope, each once with the kernel's accounting off
 * (packets/s) and once on (ns per run). Under TCG every number is emulated, so only ratios taken
 * in the same run mean anything: against the untraced flood, and against the tracepoint backend.
 */
final class VmProbeCost {

	/** One backend's floods: packets/s without accounting, and the accounted programs. */
	record Measured(String backend, String describe, int functions, double attachSeconds, double inScopePps,
			double outOfScopePps, ProbeCost.Accounted inScope, ProbeCost.Accounted outOfScope) {
	}

	/** How the programs of RETURN_PROBES (bpf/tracepackets.bpf.c) begin, as the kernel keeps their names. */
	private static final List<String> RETURN_PROGRAMS = List.of("kprobe_return", "kretprobe_retur", "fentry_return",
			"fexit_return");

	/** The row of the return-value programs in the per-program table. */
	private static final String RETURN_ROW = "return values (entry + return)";
	private static final String FUNCTIONS_ROW = "skb functions";

	private VmProbeCost() {
	}

	/** {@code --backends tracepoint,kprobe-multi,kprobe,fentry --seconds 3 --work DIR --out FILE}. */
	public static void main(String[] args) throws Exception {
		List<String> list = List.of(args);
		String backends = option(list, "--backends", "tracepoint,kprobe-multi,kprobe,fentry");
		double seconds = Double.parseDouble(option(list, "--seconds", "3"));
		Path work = Path.of(option(list, "--work", "bench/target"));
		Path out = Path.of(option(list, "--out", "vm-probe-cost.md"));
		List<Measured> measured = new ArrayList<>();
		double untraced;
		try (VethNamespaces pair = VethNamespaces.create(); VethNamespaces other = VethNamespaces.create()) {
			UdpFlood flood = UdpFlood.prebuilt(work, pair);
			long[] scope = { pair.leftInode(), pair.rightInode() };
			long[] elsewhere = { other.leftInode() };
			flood.run(1);
			untraced = flood.run(seconds).packetsPerSecond();
			step(String.format(Locale.ROOT, "untraced: %.1f k packets/s", untraced / 1e3));
			for (String name : backends.split(",")) {
				Backend backend = Backend.parse(name.strip());
				TracerOptions options = TracerOptions.defaults().withBackend(backend, null);
				try (TraceSession session = ProbeCost.started(options)) {
					int functions = session.functions() == null ? 0 : session.functions().attached().size();
					double attach = session.attachTime().toNanos() / 1e9;
					double in = TracerFlood.measure(session, flood, seconds, scope).flood().packetsPerSecond();
					double outside = TracerFlood.measure(session, flood, seconds, elsewhere).flood().packetsPerSecond();
					ProbeCost.Accounted accountedIn;
					ProbeCost.Accounted accountedOut;
					try (ProgramStats.Enabled ignored = ProgramStats.Enabled.turnOn()) {
						accountedIn = ProbeCost.accounted(session, flood, seconds, 1, scope);
						accountedOut = ProbeCost.accounted(session, flood, seconds, 1, elsewhere);
					}
					measured.add(new Measured(backend.label(), options.describe(), functions, attach, in, outside,
							accountedIn, accountedOut));
					step(String.format(Locale.ROOT, "%s: %d functions, in scope %.1f k packets/s, out of scope %.1f k/s",
							backend.label(), functions, in / 1e3, outside / 1e3));
				}
			}
		}
		Files.writeString(out, render(untraced, measured, seconds));
		step("wrote " + out);
	}

	/** The markdown tables of the run (the machine table is scripts/bench-vm's). */
	static String render(double untraced, List<Measured> measured, double seconds) {
		Measured tracepoint = measured.stream().filter(m -> m.backend().equals(Backend.TRACEPOINT.label()))
				.findFirst().orElse(null);
		StringBuilder md = new StringBuilder();
		md.append(String.format(Locale.ROOT, "Untraced flood in the VM: %.1f k packets/s. Each figure below is one %.0f s"
				+ " flood; \"÷ tracepoint\" divides by the tracepoint backend's figure in the same run.%n%n",
				untraced / 1e3, seconds));
		md.append("| backend | functions | packets/s ÷ untraced, in scope | out of scope | events per packet"
				+ " | BPF ns per event, in scope | ÷ tracepoint | BPF ns per packet, out of scope | ÷ tracepoint |\n");
		md.append("|---|---|---|---|---|---|---|---|---|\n");
		for (Measured m : measured) {
			double perEvent = perEvent(m.inScope());
			double outPerPacket = perPacket(m.outOfScope());
			md.append(String.format(Locale.ROOT, "| %s | %s | %.0f %% | %.0f %% | %.1f | %,.0f | %s | %,.0f | %s |%n",
					m.backend(), m.functions() == 0 ? "—" : String.format(Locale.ROOT, "%,d", m.functions()),
					100 * m.inScopePps() / untraced, 100 * m.outOfScopePps() / untraced,
					(double) m.inScope().emitted() / Math.max(1, m.inScope().packets()), perEvent,
					ratio(perEvent, tracepoint == null ? 0 : perEvent(tracepoint.inScope())), outPerPacket,
					ratio(outPerPacket, tracepoint == null ? 0 : perPacket(tracepoint.outOfScope()))));
		}
		md.append("\nPer program (kernel accounting, ns per run; function programs summed over every function and"
				+ " argument position):\n\n");
		md.append("| backend | program | in scope: runs | ns per run | out of scope: runs | ns per run |\n");
		md.append("|---|---|---|---|---|---|\n");
		for (Measured m : measured) {
			Map<String, ProgramStats.Counters> in = grouped(m.inScope());
			Map<String, ProgramStats.Counters> out = grouped(m.outOfScope());
			java.util.Set<String> programs = new java.util.LinkedHashSet<>(in.keySet());
			programs.addAll(out.keySet());
			for (String program : programs) {
				md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", m.backend(), program,
						cells(in.get(program)), cells(out.get(program))));
			}
		}
		md.append(returnValueCost(measured));
		return md.toString();
	}

	/**
	 * What recording a return value costs, per backend: a call in scope runs the entry program
	 * (scope check, snapshot into return_calls) and the return program (lookup, event), so a
	 * recorded return costs two runs; out of scope, the entry's scope check and the return's lookup
	 * that finds nothing. Set beside an skb function's event, the same run's.
	 */
	private static String returnValueCost(List<Measured> measured) {
		StringBuilder md = new StringBuilder();
		for (Measured m : measured) {
			ProgramStats.Counters in = grouped(m.inScope()).get(RETURN_ROW);
			ProgramStats.Counters out = grouped(m.outOfScope()).get(RETURN_ROW);
			ProgramStats.Counters function = grouped(m.inScope()).get(FUNCTIONS_ROW);
			if (in == null || in.runs() < 2 || function == null) {
				continue;
			}
			double perReturn = 2 * in.nsPerRun();
			md.append(String.format(Locale.ROOT, "%s- %s: a recorded return value (%,d in scope, %.1f per packet) costs"
					+ " %,.0f ns of BPF (entry and return program), %.2f× an skb function's event (%,.0f ns); a call out of"
					+ " scope %,.0f ns%n", md.isEmpty() ? "\nReturn values (ReturnValue.RECORDED), per call:\n\n" : "",
					m.backend(), in.runs() / 2, (double) in.runs() / 2 / Math.max(1, m.inScope().packets()), perReturn,
					perReturn / function.nsPerRun(), function.nsPerRun(), out == null ? 0 : 2 * out.nsPerRun()));
		}
		return md.toString();
	}

	/** Programs by name, the function probes of every position and function as one row. */
	private static Map<String, ProgramStats.Counters> grouped(ProbeCost.Accounted accounted) {
		Map<String, ProgramStats.Counters> rows = new LinkedHashMap<>();
		for (ProgramStats.Counters c : accounted.programs()) {
			if (c.name().equals("emit_marker") || c.name().startsWith("accounting_f")) {
				continue;
			}
			// kprobe_skb_N, kprobe_multi_sk (the kernel keeps 15 characters), and the fentry
			// backend's clones, one per function, named tp_<function>; the entry and return
			// programs of the functions whose return value is recorded (kprobe_return_i,
			// kretprobe_retur, fentry_return_i, fexit_return_ip) as one row of their own
			String name = RETURN_PROGRAMS.stream().anyMatch(c.name()::startsWith) ? RETURN_ROW
					: c.name().startsWith("kprobe") || c.name().startsWith("fentry") || c.name().startsWith("tp_")
							? FUNCTIONS_ROW : c.name();
			rows.merge(name, new ProgramStats.Counters(name, c.runs(), c.nanos(), c.misses()), ProgramStats.Counters::plus);
		}
		return rows;
	}

	/** {@code runs | ns per run}, or {@code 0 | —} for a program that did not run. */
	private static String cells(ProgramStats.Counters c) {
		return c == null ? "0 | —" : String.format(Locale.ROOT, "%,d | %,.0f", c.runs(), c.nsPerRun());
	}

	private static double perEvent(ProbeCost.Accounted a) {
		return a.emitted() == 0 ? 0 : (double) a.totalNanos() / a.emitted();
	}

	private static double perPacket(ProbeCost.Accounted a) {
		return a.packets() == 0 ? 0 : (double) a.totalNanos() / a.packets();
	}

	private static String ratio(double value, double base) {
		return base <= 0 ? "—" : String.format(Locale.ROOT, "%.2f×", value / base);
	}

	private static String option(List<String> args, String name, String fallback) {
		int index = args.indexOf(name);
		return index >= 0 && index + 1 < args.size() ? args.get(index + 1) : fallback;
	}

	private static void step(String what) {
		System.err.println("[vm-probes] " + what);
	}
}
