package io.tracepackets.internal.backend;

import io.tracepackets.internal.btf.Btf;
import io.tracepackets.internal.btf.SkbFunction;
import io.tracepackets.internal.symbols.Kallsyms;
import io.tracepackets.internal.symbols.TraceableFunctions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The kernel functions to probe: every function of the running kernel's BTF (vmlinux and modules)
 * with a {@code struct sk_buff *} among its first five arguments, narrowed by a name regex, and
 * kept only if it can be probed (traceable, and a unique name for kprobes to resolve).
 */
public record ProbeTargets(List<SkbFunction> functions, List<String> ambiguous, int untraceable, String source) {

	/**
	 * @param nameFilter functions whose name it {@code find}s in are kept; null keeps all
	 */
	public static ProbeTargets discover(Pattern nameFilter, Kallsyms kallsyms) {
		return discover(nameFilter, () -> kallsyms);
	}

	/**
	 * @param nameFilter functions whose name it {@code find}s in are kept; null keeps all
	 * @param symbols the kernel's symbols, read here (to find names several functions share)
	 */
	public static ProbeTargets discover(Pattern nameFilter, Supplier<Kallsyms> symbols) {
		List<SkbFunction> candidates = Btf.discoverSkbFunctions(nameFilter, true);
		TraceableFunctions traceable = TraceableFunctions.load(symbols);
		Kallsyms kallsyms = symbols.get();
		List<SkbFunction> kept = new ArrayList<>();
		List<String> ambiguous = new ArrayList<>();
		int untraceable = 0;
		for (SkbFunction function : candidates) {
			if (!traceable.contains(function.name())) {
				untraceable++;
			} else if (kallsyms.count(function.name()) > 1) {
				// Static functions with the same name in several files: a kprobe by name is refused
				// (EADDRNOTAVAIL) and the event could not tell them apart.
				ambiguous.add(function.name());
			} else {
				kept.add(function);
			}
		}
		return new ProbeTargets(List.copyOf(kept), List.copyOf(ambiguous), untraceable, traceable.sourceDescription());
	}

	/** Functions by skb argument position (1..5). */
	public Map<Integer, List<SkbFunction>> byPosition() {
		return functions.stream().collect(Collectors.groupingBy(SkbFunction::skbArgPosition, TreeMap::new,
				Collectors.toList()));
	}

	public boolean isEmpty() {
		return functions.isEmpty();
	}

	@Override
	public String toString() {
		return functions.size() + " skb functions (" + ambiguous.size() + " ambiguous names and " + untraceable
				+ " untraceable skipped; traceable set from " + source + ")";
	}
}
