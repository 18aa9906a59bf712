package io.tracepackets.bench;

import io.tracepackets.internal.session.TraceSession;
import io.tracepackets.internal.session.TracerOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * What the first traced test of a JVM pays: TraceSession.start = BPF load + attach (timed by the
 * Tracer itself) + the rest of the start (checks, backend choice, pump; the kernel's names are read
 * after it, in the background), each time in a fresh Tracer.
 */
final class ColdStart {

	/** One start, in milliseconds; {@code total} is the wall clock of TraceSession.start. */
	record Run(double loadMs, double attachMs, double totalMs) {
		/** The start less load and attach. */
		double namesMs() {
			return totalMs - loadMs - attachMs;
		}
	}

	private ColdStart() {
	}

	static List<Run> measure(int runs) {
		List<Run> result = new ArrayList<>();
		for (int i = 0; i < runs; i++) {
			long started = System.nanoTime();
			try (TraceSession context = TraceSession.start(TracerOptions.defaults())) {
				double total = (System.nanoTime() - started) / 1e6;
				result.add(new Run(context.loadTime().toNanos() / 1e6, context.attachTime().toNanos() / 1e6,
						total));
			}
		}
		return result;
	}
}
