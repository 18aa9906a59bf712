package io.tracepackets.traffic;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * What happened to one UDP request ({@link UdpTraffic#request()}): the {@link Outcome}, the bytes
 * sent and the first datagram received, and for a failure the error text. Refusals (ICMP port
 * unreachable) and timeouts are results, since tests assert on them.
 *
 * @param outcome how the exchange ended
 * @param sent the request's bytes
 * @param received the first reply's bytes; empty when none came
 * @param failure the error text for anything but {@link Outcome#COMPLETED}, else null
 * @param elapsed from the send to the reply, or to the failure
 */
public record UdpResult(Outcome outcome, byte[] sent, byte[] received, String failure, Duration elapsed) {

	/** Copies both arrays, so a result never changes. */
	public UdpResult {
		sent = sent.clone();
		received = received.clone();
	}

	/**
	 * Whether a reply came back.
	 *
	 * @return true for {@link Outcome#COMPLETED}
	 */
	public boolean isCompleted() {
		return outcome == Outcome.COMPLETED;
	}

	/**
	 * Whether the peer answered with ICMP port unreachable: nothing listens, or a REJECT rule.
	 *
	 * @return true for {@link Outcome#REFUSED}
	 */
	public boolean isRefused() {
		return outcome == Outcome.REFUSED;
	}

	/**
	 * The sent bytes.
	 *
	 * @return a copy of the request
	 */
	@Override
	public byte[] sent() {
		return sent.clone();
	}

	/**
	 * The reply's bytes.
	 *
	 * @return a copy; empty when no reply came
	 */
	@Override
	public byte[] received() {
		return received.clone();
	}

	/**
	 * The reply as UTF-8 text.
	 *
	 * @return e.g. {@code "ping"} from an echo server; empty when no reply came
	 */
	public String receivedText() {
		return new String(received, StandardCharsets.UTF_8);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof UdpResult result && outcome == result.outcome && Arrays.equals(sent, result.sent)
				&& Arrays.equals(received, result.received) && java.util.Objects.equals(failure, result.failure)
				&& elapsed.equals(result.elapsed);
	}

	@Override
	public int hashCode() {
		return java.util.Objects.hash(outcome, Arrays.hashCode(sent), Arrays.hashCode(received), failure, elapsed);
	}

	@Override
	public String toString() {
		return "UdpResult[" + outcome + ", sent " + sent.length + " bytes, received " + received.length + " bytes"
				+ (failure == null ? "" : ", " + failure) + ", " + elapsed.toMillis() + " ms]";
	}
}
