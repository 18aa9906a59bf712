package io.tracepackets;

/**
 * The running kernel or this process's privileges cannot support what was asked: no BTF, not
 * root, a program type the kernel refuses. {@code @TracePackets} turns it into a skipped test, or a
 * failed one under {@code CI=true} / {@code -Dtracepackets.strict=true}.
 */
public class TracingUnavailableException extends TracePacketsException {

	private final String feature;

	public TracingUnavailableException(String feature, String reason) {
		super(feature + " unavailable: " + reason);
		this.feature = feature;
	}

	public TracingUnavailableException(String feature, String reason, Throwable cause) {
		super(feature + " unavailable: " + reason, cause);
		this.feature = feature;
	}

	/** What could not be had, e.g. {@code "tp_btf programs"} or {@code "BTF"}. */
	public String feature() {
		return feature;
	}
}
