package io.tracepackets.internal.trace;

import io.tracepackets.ProbeCatalog;
import io.tracepackets.internal.symbols.Kallsyms;
import io.tracepackets.internal.symbols.NearestNames;
import io.tracepackets.internal.tracer.Tracepoint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a tracer observes: its attached tracepoints and, with a function backend, the functions it
 * attached to; names are checked against those, the known tracepoints and the kernel's functions.
 */
public final class KernelProbeCatalog implements ProbeCatalog {

	private final String backend;
	private final String reason;
	private final Set<String> observed;
	private final Kallsyms kallsyms;
	private final List<String> dropReasons;

	public KernelProbeCatalog(String backend, String reason, Collection<Tracepoint> tracepoints,
			Collection<String> functions, Kallsyms kallsyms, List<String> dropReasons) {
		this.backend = backend;
		this.reason = reason;
		Set<String> names = new LinkedHashSet<>();
		tracepoints.forEach(t -> names.add(t.eventName()));
		names.addAll(functions);
		this.observed = Set.copyOf(names);
		this.kallsyms = kallsyms;
		this.dropReasons = List.copyOf(dropReasons);
	}

	@Override
	public String backend() {
		return backend;
	}

	@Override
	public String backendReason() {
		return reason;
	}

	@Override
	public boolean observes(String where) {
		return observed.contains(where);
	}

	@Override
	public boolean exists(String name) {
		return observed.contains(name) || Tracepoint.byName(name).isPresent() || kallsyms.count(name) > 0;
	}

	@Override
	public List<String> suggestions(String name) {
		List<String> tracepoints = new ArrayList<>();
		for (Tracepoint tracepoint : Tracepoint.values()) {
			tracepoints.add(tracepoint.eventName());
		}
		Set<String> result = new LinkedHashSet<>(NearestNames.suggest(name, tracepoints, 3));
		result.addAll(NearestNames.suggest(name, kallsyms.functionNames(), 5));
		return List.copyOf(result).subList(0, Math.min(5, result.size()));
	}

	@Override
	public Set<String> observed() {
		return observed;
	}

	@Override
	public List<String> dropReasons() {
		return dropReasons;
	}
}
