package io.tracepackets.traffic;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * What happened to one TCP exchange: the {@link Outcome}, the bytes sent and received, and for a
 * failure the error text. Refusals and timeouts are results, since tests assert on them.
 */
public final class TcpResult {

	private final Outcome outcome;
	private final byte[] sent;
	private final byte[] received;
	private final String failure;
	private final Duration elapsed;

	TcpResult(Outcome outcome, byte[] sent, byte[] received, String failure, Duration elapsed) {
		this.outcome = outcome;
		this.sent = sent;
		this.received = received;
		this.failure = failure;
		this.elapsed = elapsed;
	}

	public Outcome outcome() {
		return outcome;
	}

	/** Whether the connection was made and the exchange finished. */
	public boolean isCompleted() {
		return outcome == Outcome.COMPLETED;
	}

	public boolean isRefused() {
		return outcome == Outcome.REFUSED;
	}

	public boolean isTimedOut() {
		return outcome == Outcome.TIMED_OUT;
	}

	/** Whether exactly the bytes sent came back (for echo servers). */
	public boolean isEchoed() {
		return outcome == Outcome.COMPLETED && Arrays.equals(sent, received);
	}

	public byte[] sent() {
		return sent.clone();
	}

	/** What the peer sent back before the exchange ended (possibly part of it on a failure). */
	public byte[] received() {
		return received.clone();
	}

	/** {@link #received()} as UTF-8 text. */
	public String receivedText() {
		return new String(received, StandardCharsets.UTF_8);
	}

	/** The error text for anything but {@link Outcome#COMPLETED}, else null. */
	public String failure() {
		return failure;
	}

	public Duration elapsed() {
		return elapsed;
	}

	@Override
	public String toString() {
		return "TcpResult[" + outcome + ", sent " + sent.length + " bytes, received " + received.length + " bytes"
				+ (failure == null ? "" : ", " + failure) + ", " + elapsed.toMillis() + " ms]";
	}
}
