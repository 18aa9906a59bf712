package io.tracepackets.internal.trace;

import io.tracepackets.ProbeCatalog;
import io.tracepackets.internal.symbols.Kallsyms;
import io.tracepackets.internal.symbols.NearestNames;
import io.tracepackets.internal.tracer.Tracepoint;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The catalog of the tracepoint backend: it observes its attached tracepoints and no kernel
 * function; any name is checked against those and the running kernel's functions.
 */
public final class TracepointCatalog implements ProbeCatalog {

	private final Set<String> observed;
	private final Kallsyms kallsyms;
	private final String reason;
	private final List<String> dropReasons;

	public TracepointCatalog(Set<Tracepoint> attached, Kallsyms kallsyms, List<String> dropReasons, String reason) {
		this.dropReasons = List.copyOf(dropReasons);
		Set<String> names = new LinkedHashSet<>();
		attached.forEach(t -> names.add(t.eventName()));
		this.observed = Set.copyOf(names);
		this.kallsyms = kallsyms;
		this.reason = reason;
	}

	@Override
	public String backend() {
		return "tracepoint";
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
