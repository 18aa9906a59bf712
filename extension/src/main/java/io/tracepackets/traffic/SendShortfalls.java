package io.tracepackets.traffic;

import io.tracepackets.SendShortfall;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sends that fell short, per thread ({@link SendShortfall}): each {@link UdpTraffic#send(int)}
 * whose datagrams the local kernel refused in part or whole, and each TCP connect that failed as
 * unreachable or denied ({@link Outcome#UNREACHABLE}, {@link Outcome#DENIED}). A packet that was never sent cannot be traced, so a
 * {@code PacketTrace} names those made on its test's thread while it was open
 * ({@code PacketTrace.sendsThatFellShort()}), and an assertion that found too few packets says
 * why.
 */
public final class SendShortfalls {

	/** Per thread, the latest ones are kept: a test that fails many sends needs only the last. */
	private static final int KEPT = 64;
	private static final AtomicLong SEQUENCE = new AtomicLong();
	private static final ThreadLocal<Deque<Shortfall>> RECENT = ThreadLocal.withInitial(ArrayDeque::new);

	private record Shortfall(long sequence, SendShortfall send) {
	}

	private SendShortfalls() {
	}

	/**
	 * A mark to read the shortfalls made after it: take it when a test starts.
	 *
	 * @return the current position, for {@link #since(long)}
	 */
	public static long mark() {
		return SEQUENCE.get();
	}

	/**
	 * The shortfalls of this thread made after {@code mark}, oldest first.
	 *
	 * @param mark a value of {@link #mark()}
	 * @return one per send that fell short; empty when every send went out
	 */
	public static List<SendShortfall> since(long mark) {
		return RECENT.get().stream().filter(shortfall -> shortfall.sequence() > mark).map(Shortfall::send).toList();
	}

	static void record(SendShortfall send) {
		Deque<Shortfall> recent = RECENT.get();
		recent.addLast(new Shortfall(SEQUENCE.incrementAndGet(), send));
		while (recent.size() > KEPT) {
			recent.removeFirst();
		}
	}
}
