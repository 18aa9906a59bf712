package io.tracepackets;

/**
 * The running kernel or this process's privileges cannot support what was asked: no BTF, not
 * root, a program type the kernel refuses. {@code @TracePackets} turns it into a skipped test, or a
 * failed one under {@code CI=true} / {@code -Dtracepackets.strict=true}.
 */
public class TracingUnavailableException extends TracePacketsException {

	/** What could not be had: {@link #feature()}. */
	private final String feature;
	/** Why, and the fix: {@link #reason()}. */
	private final String reason;

	/**
	 * Says that {@code feature} cannot be had, and why.
	 *
	 * @param feature what is missing, e.g. {@code "BTF"} or {@code "fentry backend"}; the message
	 *     starts with it
	 * @param reason why, and what would fix it, e.g. {@code "reading /proc/1/ns/net needs root: run as
	 *     root (sudo)"}
	 */
	public TracingUnavailableException(String feature, String reason) {
		this(feature, reason, null);
	}

	/**
	 * Says that {@code feature} cannot be had, and why, with the error that showed it.
	 *
	 * @param feature what is missing, e.g. {@code "BTF"} or {@code "fentry backend"}; the message
	 *     starts with it
	 * @param reason why, and what would fix it, e.g. {@code "reading /proc/1/ns/net needs root: run as
	 *     root (sudo)"}
	 * @param cause the failed call that revealed it, or {@code null}
	 */
	public TracingUnavailableException(String feature, String reason, Throwable cause) {
		super(feature + " unavailable: " + reason, cause);
		this.feature = feature;
		this.reason = reason;
	}

	/**
	 * What could not be had, e.g. {@code "tp_btf programs"} or {@code "BTF"}.
	 *
	 * @return the feature alone; the message is {@code "<feature> unavailable: <reason>"}
	 */
	public String feature() {
		return feature;
	}

	/**
	 * Why it cannot be had, and what would fix it.
	 *
	 * @return the reason alone, without the feature, for a skip or failure message
	 */
	public String reason() {
		return reason;
	}
}
