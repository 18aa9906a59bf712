package io.tracepackets.internal.backend;

import io.tracepackets.Backend;
import java.util.Map;

/**
 * The backend the tracer runs with, why, and why each better one was refused: shown in logs and
 * in every message about what a trace cannot see.
 */
public record BackendSelection(Backend chosen, Map<Backend, String> refused, ProbeTargets targets, String why) {

	public String describe() {
		StringBuilder text = new StringBuilder(chosen.label()).append(": ").append(why);
		refused.forEach((backend, reason) -> text.append("; ").append(backend.label()).append(" refused: ")
				.append(reason));
		return text.toString();
	}

	/**
	 * {@link #describe()} without the refusals' reasons: the same on every failure of a run, they
	 * would bury what differs. They are logged once, when the tracer starts.
	 */
	public String summary() {
		StringBuilder text = new StringBuilder(chosen.label()).append(": ").append(why);
		if (!refused.isEmpty()) {
			text.append("; ").append(String.join(", ", refused.keySet().stream().map(Backend::label).toList()))
					.append(" refused (why: the tracer's log at start, \"backend ... refused\")");
		}
		return text.toString();
	}
}
