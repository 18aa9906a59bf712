package io.tracepackets.bench;

import io.tracepackets.Backend;
import io.tracepackets.internal.backend.AttachResult;
import io.tracepackets.internal.backend.ProbeTargets;
import io.tracepackets.internal.btf.SkbFunction;
import io.tracepackets.internal.symbols.Kallsyms;
import io.tracepackets.internal.session.TraceSession;
import io.tracepackets.internal.session.TracerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Attach and detach time of the function backends on every skb function of the running kernel,
 * one backend after the other in one JVM. Made for the kernel VM (scripts/bench-vm): the host
 * kernel has neither kprobes nor fentry. For each backend writes {@code <out>/<backend>.properties}
 * (counts, times, rate, the first failures), {@code <out>/functions-<backend>.txt} (the functions
 * asked for: name and module, for bpftrace to attach the same list) and
 * {@code <out>/attached-<backend>.txt} (those attached: bpftrace aborts on a failing attach point,
 * so it gets this list) and {@code <out>/failures-<backend>.txt} (every failure with its message).
 * <p>
 * Usage: {@code java --enable-native-access=ALL-UNNAMED -cp ... io.tracepackets.bench.VmAttachBench
 * --out DIR [--backends kprobe-multi,kprobe,fentry] [--limit fentry=500]}. Each backend's tracer is
 * closed before the next one starts. Without a limit a backend gets
 * {@code functions = null}, i.e. all skb functions the tracer discovers (BTF, narrowed to
 * traceable and unambiguous names); with {@code --limit backend=N} it gets the first N of them by
 * name, as an anchored alternation.
 */
public final class VmAttachBench {

	private static final int FIRST_FAILURES = 5;

	private VmAttachBench() {
	}

	public static void main(String[] args) throws Exception {
		Path out = Path.of(option(args, "--out", "."));
		List<Backend> backends = new ArrayList<>();
		for (String label : option(args, "--backends", "kprobe,fentry").split(",")) {
			backends.add(Backend.parse(label));
		}
		Map<Backend, Integer> limits = new LinkedHashMap<>();
		List<String> list = List.of(args);
		for (int i = 0; i < list.size() - 1; i++) {
			if (list.get(i).equals("--limit")) {
				String[] kv = list.get(i + 1).split("=", 2);
				limits.put(Backend.parse(kv[0]), Integer.parseInt(kv[1]));
			}
		}
		Files.createDirectories(out);

		long started = System.nanoTime();
		Kallsyms kallsyms = Kallsyms.load();
		ProbeTargets all = ProbeTargets.discover(null, kallsyms);
		Duration discovery = Duration.ofNanos(System.nanoTime() - started);
		List<SkbFunction> sorted = all.functions().stream().sorted(Comparator.comparing(SkbFunction::name)).toList();
		step("discovered " + all + " in " + discovery.toMillis() + " ms");

		// The first tracer of a JVM also pays class loading, libbpf's first calls and JIT warm-up
		// (under TCG tens of seconds): a tracepoint-only tracer takes that cost before the backends
		// are measured, so the first of them is not penalised in its start time.
		long warmupAt = System.nanoTime();
		try (TraceSession warmup = TraceSession.start(TracerOptions.defaults().withBackend(Backend.TRACEPOINT, null))) {
			step("warm-up tracer (tracepoints only) started in "
					+ Duration.ofNanos(System.nanoTime() - warmupAt).toMillis() + " ms, backend " + warmup.backend().chosen());
		} catch (RuntimeException e) {
			step("warm-up tracer failed: " + e);
		}

		for (Backend backend : backends) {
			Integer limit = limits.get(backend);
			List<SkbFunction> asked = limit == null || limit >= sorted.size() ? sorted : sorted.subList(0, limit);
			Pattern filter = limit == null ? null
					: Pattern.compile(asked.stream().map(f -> Pattern.quote(f.name())).collect(
							Collectors.joining("|", "^(?:", ")$")));
			writeFunctions(out.resolve("functions-" + backend.label() + ".txt"), asked);
			step(backend.label() + ": attaching " + asked.size() + " functions"
					+ (limit == null ? " (functions = null: all)" : " (first " + limit + " by name)"));
			Map<String, String> result = new LinkedHashMap<>();
			result.put("backend", backend.label());
			result.put("selection", limit == null ? "all" : "first " + asked.size() + " by name");
			result.put("discovered", Integer.toString(all.functions().size()));
			result.put("ambiguous_skipped", Integer.toString(all.ambiguous().size()));
			result.put("untraceable_skipped", Integer.toString(all.untraceable()));
			result.put("discovery_seconds", seconds(discovery));
			result.put("functions", Integer.toString(asked.size()));
			long startAt = System.nanoTime();
			TraceSession tracer;
			try {
				tracer = TraceSession.start(TracerOptions.defaults().withBackend(backend, filter));
			} catch (RuntimeException e) {
				result.put("error", oneLine(e.toString()));
				write(out.resolve(backend.label() + ".properties"), result);
				step(backend.label() + ": failed to start: " + e);
				continue;
			}
			Duration start = Duration.ofNanos(System.nanoTime() - startAt);
			AttachResult functions = tracer.functions();
			tracer.close();
			result.put("chosen", tracer.backend().chosen().label());
			result.put("tracer_functions", Integer.toString(tracer.backend().targets().functions().size()));
			result.put("attached", Integer.toString(functions.attached().size()));
			// kprobe-multi: one link per skb argument position; kprobe and fentry: one per function.
			result.put("links", Integer.toString(functions.links().size()));
			result.put("failed", Integer.toString(functions.failed().size()));
			result.put("load_seconds", seconds(tracer.loadTime()));
			result.put("tracepoint_attach_seconds", seconds(tracer.attachTime()));
			result.put("attach_seconds", seconds(functions.time()));
			result.put("probes_per_second", String.format(Locale.ROOT, "%.1f", functions.rate()));
			result.put("start_seconds", seconds(start));
			result.put("detach_seconds", seconds(tracer.detachTime()));
			result.put("failure_kinds", failureKinds(functions.failed()));
			int shown = 0;
			for (Map.Entry<String, String> failure : functions.failed().entrySet()) {
				if (shown == FIRST_FAILURES) {
					break;
				}
				result.put("failure." + (++shown), failure.getKey() + ": " + oneLine(failure.getValue()));
			}
			write(out.resolve(backend.label() + ".properties"), result);
			Files.write(out.resolve("attached-" + backend.label() + ".txt"), functions.attached());
			Files.write(out.resolve("failures-" + backend.label() + ".txt"), functions.failed().entrySet().stream()
					.map(e -> e.getKey() + "\t" + oneLine(e.getValue())).toList());
			step(backend.label() + ": " + result);
		}
	}

	/** Failures grouped by their message with the function's name taken out: "N× message; ...". */
	private static String failureKinds(Map<String, String> failed) {
		Map<String, Integer> kinds = new TreeMap<>();
		failed.forEach((name, message) -> kinds.merge(oneLine(message).replace(name, "<f>"), 1, Integer::sum));
		return kinds.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
				.map(e -> e.getValue() + "x " + e.getKey()).collect(Collectors.joining(" | "));
	}

	private static void writeFunctions(Path file, List<SkbFunction> functions) throws IOException {
		Files.write(file, functions.stream().map(f -> f.name() + (f.module() == null ? "" : " " + f.module())).toList());
	}

	private static void write(Path file, Map<String, String> values) throws IOException {
		Files.write(file, values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
	}

	private static String seconds(Duration duration) {
		return String.format(Locale.ROOT, "%.3f", duration.toNanos() / 1e9);
	}

	private static String oneLine(String text) {
		return text == null ? "" : text.replace('\n', ' ').replace('\r', ' ');
	}

	private static void step(String what) {
		System.err.println("[vm-bench] " + what);
	}

	private static String option(String[] args, String name, String fallback) {
		List<String> list = List.of(args);
		int index = list.indexOf(name);
		return index >= 0 && index + 1 < list.size() ? list.get(index + 1) : fallback;
	}
}
