package io.tracepackets.traffic;

import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.util.Locale;

/** How a TCP connection or HTTP request ended, as a test asserts on it (REJECT, DROP, success). */
public enum Outcome {

	/** Connected, sent, and got the reply (or whatever arrived before the peer closed). */
	COMPLETED,
	/** The peer answered the SYN with a reset or ICMP port unreachable: no listener, or a REJECT rule. */
	REFUSED,
	/** No answer within the timeout: typically a DROP rule on the way. */
	TIMED_OUT,
	/** ICMP host or network unreachable, or no route. */
	UNREACHABLE,
	/** The connection was established, then reset. */
	RESET,
	/** The local kernel refused to send (EPERM), e.g. a DROP rule in the sender's OUTPUT chain. */
	DENIED,
	/** Anything else; the result's failure text says what. */
	FAILED;

	/** Classifies a connect, write or read failure. */
	static Outcome of(Throwable failure) {
		for (Throwable t = failure; t != null; t = t.getCause()) {
			String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
			if (t instanceof ConnectTimeoutException || t instanceof java.util.concurrent.TimeoutException
					|| message.contains("timed out")) {
				return TIMED_OUT;
			}
			if (t instanceof NoRouteToHostException || message.contains("unreachable")
					&& !message.contains("port unreachable")) {
				return UNREACHABLE;
			}
			if (message.contains("connection refused") || t instanceof PortUnreachableException) {
				return REFUSED;
			}
			if (message.contains("connection reset") || message.contains("broken pipe")) {
				return RESET;
			}
			if (message.contains("operation not permitted")) {
				return DENIED;
			}
			if (t instanceof ConnectException) {
				return REFUSED;
			}
		}
		return FAILED;
	}
}
