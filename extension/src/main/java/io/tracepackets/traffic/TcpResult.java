package io.tracepackets.traffic;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * What happened to one TCP exchange: the {@link Outcome}, the bytes sent and received, and for a
 * failure the error text. Refusals and timeouts are results, since tests assert on them.
 *
 * @param outcome how the exchange ended
 * @param sent the bytes written: those given to {@code connectAndSend}, empty for {@code connect()}
 * @param received what the peer sent back before the exchange ended (possibly part of it on a
 *        failure)
 * @param failure the error text for anything but {@link Outcome#COMPLETED}, else null
 * @param elapsed from the start of connecting to the end of the exchange, or to the failure
 */
public record TcpResult(Outcome outcome, byte[] sent, byte[] received, String failure, Duration elapsed) {

	/** Copies both arrays, so a result never changes. */
	public TcpResult {
		sent = sent.clone();
		received = received.clone();
	}

	/**
	 * Whether the connection was made and the exchange finished.
	 *
	 * @return true for {@link Outcome#COMPLETED}, whatever came back
	 */
	public boolean isCompleted() {
		return outcome == Outcome.COMPLETED;
	}

	/**
	 * Whether the peer refused the connection: no listener, or a REJECT rule.
	 *
	 * @return true for {@link Outcome#REFUSED}
	 */
	public boolean isRefused() {
		return outcome == Outcome.REFUSED;
	}

	/**
	 * Whether nothing answered in time: typically a DROP rule on the way.
	 *
	 * @return true for {@link Outcome#TIMED_OUT}
	 */
	public boolean isTimedOut() {
		return outcome == Outcome.TIMED_OUT;
	}

	/**
	 * Whether exactly the bytes sent came back (for echo servers).
	 *
	 * @return true when completed and {@link #received()} equals {@link #sent()}, byte for byte
	 */
	public boolean isEchoed() {
		return outcome == Outcome.COMPLETED && Arrays.equals(sent, received);
	}

	/**
	 * The bytes sent.
	 *
	 * @return a copy, so the result cannot be changed through it
	 */
	@Override
	public byte[] sent() {
		return sent.clone();
	}

	/**
	 * The bytes the peer sent back; after a failure, possibly part of them.
	 *
	 * @return a copy, so the result cannot be changed through it
	 */
	@Override
	public byte[] received() {
		return received.clone();
	}

	/**
	 * {@link #received()} as UTF-8 text.
	 *
	 * @return the text, with malformed bytes replaced by U+FFFD; empty when nothing came back
	 */
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
