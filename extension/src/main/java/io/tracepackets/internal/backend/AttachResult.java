package io.tracepackets.internal.backend;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a function backend attached: the links to close, the functions it really sees, those that
 * failed with why, and those this backend cannot trace on this kernel at all (expected: e.g. a
 * function with more arguments than x86 trampolines take before 6.6), with why.
 */
public record AttachResult(List<AutoCloseable> links, List<String> attached, Map<String, String> failed,
		Map<String, String> unsupported, Duration time) {

	/** Nothing attached (the tracepoint backend). */
	public static AttachResult none() {
		return new AttachResult(List.of(), List.of(), Map.of(), Map.of(), Duration.ZERO);
	}

	/** Every function not attached, failed or unsupported, with why. */
	public Map<String, String> notAttached() {
		Map<String, String> all = new java.util.TreeMap<>(unsupported);
		all.putAll(failed);
		return all;
	}

	/**
	 * {@code reasons} grouped by cause, most frequent first: {@code "41 x attach fentry <f>: ENOTSUPP
	 * (...) e.g. tcp_foo, udp_bar"}; the function's own name in a reason becomes {@code <f>}.
	 */
	public static String byCause(Map<String, String> reasons) {
		Map<String, List<String>> causes = new java.util.LinkedHashMap<>();
		reasons.forEach((function, reason) -> causes.computeIfAbsent(
				reason.replace(function, "<f>"), cause -> new java.util.ArrayList<>()).add(function));
		return causes.entrySet().stream()
				.sorted((a, b) -> Integer.compare(b.getValue().size(), a.getValue().size()))
				.map(e -> e.getValue().size() + " x " + e.getKey() + ", e.g. "
						+ String.join(", ", e.getValue().subList(0, Math.min(3, e.getValue().size()))))
				.collect(java.util.stream.Collectors.joining("; "));
	}

	/** Probes attached per second. */
	public double rate() {
		double seconds = time.toNanos() / 1e9;
		return seconds == 0 ? 0 : attached.size() / seconds;
	}
}
