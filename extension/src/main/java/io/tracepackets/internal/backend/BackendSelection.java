package io.tracepackets.internal.backend;

import io.tracepackets.Backend;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The backend the tracer runs with, why, and why each better one was refused: shown in logs and
 * in every message about what a trace cannot see. Without a function backend, tracepoints only.
 */
public final class BackendSelection {

	/** Null: tracepoints only. */
	private final FunctionBackend functions;
	private final Map<Backend, String> refused;
	private final ProbeTargets targets;
	private final String why;

	private BackendSelection(FunctionBackend functions, Map<Backend, String> refused, ProbeTargets targets,
			String why) {
		this.functions = functions;
		this.refused = Collections.unmodifiableMap(new LinkedHashMap<>(refused)); // in the order tried
		this.targets = targets;
		this.why = why;
	}

	/** {@code backend} on {@code targets}; {@code refused}: the better backends the kernel refused, in order. */
	static BackendSelection of(FunctionBackend backend, Map<Backend, String> refused, ProbeTargets targets,
			String why) {
		return new BackendSelection(backend, refused, targets, why);
	}

	/** Tracepoints only: {@code refused} the function backends tried, {@code targets} null when none were sought. */
	public static BackendSelection tracepoints(Map<Backend, String> refused, ProbeTargets targets, String why) {
		return new BackendSelection(null, refused, targets, why);
	}

	/** The backend in use; {@link Backend#TRACEPOINT} without a function backend. */
	public Backend chosen() {
		return functions == null ? Backend.TRACEPOINT : functions.backend();
	}

	/** The function backend in use; empty when only tracepoints are attached. */
	public Optional<FunctionBackend> functionBackend() {
		return Optional.ofNullable(functions);
	}

	/** The backends refused before the chosen one, in the order they were tried, with the kernel's answer. */
	public Map<Backend, String> refused() {
		return refused;
	}

	/**
	 * Why the kernel refuses BPF trampolines (fentry, and fexit on any program), when it refused the
	 * fentry backend for that (EPERM: lockdown, or a kernel that forbids them); empty when fentry
	 * was not tried or failed otherwise.
	 */
	public Optional<String> trampolinesRefused() {
		return Optional.ofNullable(refused.get(Backend.FENTRY)).filter(why -> why.contains("EPERM"));
	}

	/** The functions to probe; null when tracepoints were requested and none were sought. */
	public ProbeTargets targets() {
		return targets;
	}

	/** Why this backend: "requested", "the best backend this kernel accepted", ... */
	public String why() {
		return why;
	}

	public String describe() {
		StringBuilder text = new StringBuilder(chosen().label()).append(": ").append(why);
		refused.forEach((backend, reason) -> text.append("; ").append(backend.label()).append(" refused: ")
				.append(reason));
		return text.toString();
	}

	/**
	 * {@link #describe()} without the refusals' reasons: the same on every failure of a run, they
	 * would bury what differs. They are logged once, when the tracer starts.
	 */
	public String summary() {
		StringBuilder text = new StringBuilder(chosen().label()).append(": ").append(why);
		if (!refused.isEmpty()) {
			text.append("; ").append(String.join(", ", refused.keySet().stream().map(Backend::label).toList()))
					.append(" refused (why: the tracer's log at start, \"backend ... refused\")");
		}
		return text.toString();
	}
}
