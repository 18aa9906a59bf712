package io.tracepackets.traffic;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * What happened to one TCP exchange: the {@link Outcome}, the bytes sent and received, and for a
 * failure the error text. Refusals and timeouts are results, since tests assert on them.
 *
 * @param received what the peer sent back before the exchange ended (possibly part of it on a
 *        failure)
 * @param failure the error text for anything but {@link Outcome#COMPLETED}, else null
 */
public record TcpResult(Outcome outcome, byte[] sent, byte[] received, String failure, Duration elapsed) {

	public TcpResult {
		sent = sent.clone();
		received = received.clone();
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

	@Override
	public byte[] sent() {
		return sent.clone();
	}

	@Override
	public byte[] received() {
		return received.clone();
	}

	/** {@link #received()} as UTF-8 text. */
	public String receivedText() {
		return new String(received, StandardCharsets.UTF_8);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof TcpResult that && outcome == that.outcome && Arrays.equals(sent, that.sent)
				&& Arrays.equals(received, that.received) && java.util.Objects.equals(failure, that.failure)
				&& elapsed.equals(that.elapsed);
	}

	@Override
	public int hashCode() {
		return java.util.Objects.hash(outcome, Arrays.hashCode(sent), Arrays.hashCode(received), failure, elapsed);
	}

	@Override
	public String toString() {
		return "TcpResult[" + outcome + ", sent " + sent.length + " bytes, received " + received.length + " bytes"
				+ (failure == null ? "" : ", " + failure) + ", " + elapsed.toMillis() + " ms]";
	}
}
