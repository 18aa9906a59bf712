package io.tracepackets;

/**
 * Thrown when TracePackets cannot do what was asked: a kernel call failed, an argument is wrong,
 * a container is not running. The message names the problem and, where there is one, the fix.
 */
public class TracePacketsException extends RuntimeException {

	public TracePacketsException(String message) {
		super(message);
	}

	public TracePacketsException(String message, Throwable cause) {
		super(message, cause);
	}
}
