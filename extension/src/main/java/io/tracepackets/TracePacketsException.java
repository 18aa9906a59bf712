package io.tracepackets;

/**
 * Thrown when TracePackets cannot do what was asked: a kernel call failed, an argument is wrong,
 * a container is not running. The message names the problem and, where there is one, the fix.
 */
public class TracePacketsException extends RuntimeException {

	/**
	 * A failure TracePackets found itself.
	 *
	 * @param message what failed and, where there is one, the fix, e.g. {@code "container web is not
	 *     running: start it before the test"}
	 */
	public TracePacketsException(String message) {
		super(message);
	}

	/**
	 * A failure with an underlying cause: an I/O error, a failed kernel call.
	 *
	 * @param message what failed and, where there is one, the fix
	 * @param cause the error underneath, kept for its stack trace
	 */
	public TracePacketsException(String message, Throwable cause) {
		super(message, cause);
	}
}
