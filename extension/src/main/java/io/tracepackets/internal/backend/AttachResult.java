package io.tracepackets.internal.backend;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a function backend attached: the links to close (in reverse order), the functions it
 * really sees, and those that failed with why.
 */
public record AttachResult(List<AutoCloseable> links, List<String> attached, Map<String, String> failed,
		Duration time) {

	/** Probes attached per second. */
	public double rate() {
		double seconds = time.toNanos() / 1e9;
		return seconds == 0 ? 0 : attached.size() / seconds;
	}
}
