package io.tracepackets.internal.junit;

import io.tracepackets.TracePackets;

/**
 * Whether a missing kernel capability fails a test instead of skipping it: under CI
 * ({@code CI=true}) or with {@code -Dtracepackets.strict=true}, so a kernel test never passes in CI
 * by quietly skipping.
 */
final class Strictness {

	private Strictness() {
	}

	static boolean isStrict() {
		String property = System.getProperty(TracePackets.STRICT_PROPERTY);
		if (property != null) {
			return Boolean.parseBoolean(property);
		}
		return "true".equalsIgnoreCase(System.getenv("CI"));
	}
}
