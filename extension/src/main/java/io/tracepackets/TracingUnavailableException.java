package io.tracepackets;

/**
 * The running kernel or this process's privileges cannot support what was asked: no BTF, not
 * root, a program type the kernel refuses. {@code @TracePackets} turns it into a skipped test, or a
 * failed one under {@code CI=true} / {@code -Dtracepackets.strict=true}.
 */
public class TracingUnavailableException extends TracePacketsException {

	private final String feature;
	private final String reason;

	public TracingUnavailableException(String feature, String reason) {
		this(feature, reason, null);
	}

	public TracingUnavailableException(String feature, String reason, Throwable cause) {
		super(feature + " unavailable: " + reason, cause);
		this.feature = feature;
		this.reason = reason;
	}

	/** What could not be had, e.g. {@code "tp_btf programs"} or {@code "BTF"}. */
	public String feature() {
		return feature;
	}

	/** Why it cannot be had, and what would fix it. */
	public String reason() {
		return reason;
	}
}
