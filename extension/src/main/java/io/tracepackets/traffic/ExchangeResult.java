package io.tracepackets.traffic;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * What happened to one exchange with a peer: a TCP connection ({@link TcpTraffic#connect()},
 * {@link TcpTraffic#connectAndSend(byte[])}) or a UDP request ({@link UdpTraffic#request()}). The
 * {@link Outcome}, the bytes sent and received, and for a failure the error text. Refusals
 * (a reset, ICMP port unreachable) and timeouts are results, since tests assert on them.
 *
 * @param outcome how the exchange ended
 * @param sent the bytes sent: the payload given, empty for a bare {@code connect()}
 * @param received what the peer sent back before the exchange ended: for TCP possibly part of it
 *        on a failure, for UDP the first reply datagram; empty when nothing came back
 * @param failure the error text for anything but {@link Outcome#COMPLETED}, else null
 * @param elapsed from the start of the exchange (connecting, or sending the request) to its end,
 *        or to the failure
 */
public record ExchangeResult(Outcome outcome, byte[] sent, byte[] received, String failure, Duration elapsed) {

	/** Copies both arrays, so a result never changes. */
	public ExchangeResult {
		sent = sent.clone();
		received = received.clone();
	}

	/**
	 * Whether the exchange finished: the TCP connection was made and closed cleanly, or a UDP
	 * reply came back.
	 *
	 * @return true for {@link Outcome#COMPLETED}, whatever came back
	 */
	public boolean isCompleted() {
		return outcome == Outcome.COMPLETED;
	}

	/**
	 * Whether the peer refused: no listener, or a REJECT rule.
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
	 * The bytes the peer sent back.
	 *
	 * @return a copy, so the result cannot be changed through it; empty when nothing came back
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
		return other instanceof ExchangeResult that && outcome == that.outcome && Arrays.equals(sent, that.sent)
				&& Arrays.equals(received, that.received) && Objects.equals(failure, that.failure)
				&& elapsed.equals(that.elapsed);
	}

	@Override
	public int hashCode() {
		return Objects.hash(outcome, Arrays.hashCode(sent), Arrays.hashCode(received), failure, elapsed);
	}

	@Override
	public String toString() {
		return "ExchangeResult[" + outcome + ", sent " + sent.length + " bytes, received " + received.length
				+ " bytes" + (failure == null ? "" : ", " + failure) + ", " + elapsed.toMillis() + " ms]";
	}
}
