package io.tracepackets.assertj;

import static io.tracepackets.assertj.error.TimeTakenShould.shouldTakeAtLeast;
import static io.tracepackets.assertj.error.TimeTakenShould.shouldTakeAtMost;

import io.tracepackets.PacketFilter;
import io.tracepackets.PacketPath;
import io.tracepackets.PacketTrace;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on the time the matching packets took between two points of their paths, by the
 * kernel's timestamps: {@code took("net_dev_queue", "net_dev_start_xmit").atLeast(...)} for the
 * time a qdisc held them, {@code took("netif_receive_skb", "socket_receive").atMost(...)} for the
 * receive path. A failure lists the packets out of bounds with their times, the slowest (or
 * fastest) first, and shows their paths with the time of each hop.
 *
 * <p>Bound the kernel's behaviour loosely, as a rate limiter or a queue sets it (tens of
 * milliseconds), not the speed of a machine: a probe's run and a loaded CPU add microseconds to
 * milliseconds to every hop.
 */
public class TimeTakenAssert extends AbstractAssert<TimeTakenAssert, PacketTrace> {

	private final PacketFilter filter;
	private final String from;
	private final String to;
	private final List<PacketPath> timed;

	/**
	 * Made by {@link PacketsAssert#took(String, String)}, once every matching packet passed
	 * {@code from}, then {@code to}.
	 *
	 * @param actual the trace, which gives the data failures show
	 * @param filter which packets, shown in failure messages
	 * @param from the event name the time counts from
	 * @param to the event name it counts to
	 * @param timed the matching packets, each with {@code from} and a {@code to} after it
	 */
	public TimeTakenAssert(PacketTrace actual, PacketFilter filter, String from, String to, List<PacketPath> timed) {
		super(actual, TimeTakenAssert.class);
		this.filter = filter;
		this.from = from;
		this.to = to;
		this.timed = List.copyOf(timed);
	}

	/**
	 * Every matching packet took at most {@code limit} from {@code from} to {@code to}.
	 *
	 * @param limit the longest time allowed, zero or more
	 * @return this assertion, for chaining (e.g. with {@link #atLeast(Duration)})
	 * @throws IllegalArgumentException when {@code limit} is negative
	 */
	public TimeTakenAssert atMost(Duration limit) {
		check(limit, "atMost");
		if (timed.stream().anyMatch(path -> took(path).compareTo(limit) > 0)) {
			throwAssertionError(shouldTakeAtMost(actual, filter, from, to, limit, timed));
		}
		return myself;
	}

	/**
	 * Every matching packet took at least {@code limit} from {@code from} to {@code to}.
	 *
	 * @param limit the shortest time allowed, zero or more
	 * @return this assertion, for chaining (e.g. with {@link #atMost(Duration)})
	 * @throws IllegalArgumentException when {@code limit} is negative
	 */
	public TimeTakenAssert atLeast(Duration limit) {
		check(limit, "atLeast");
		if (timed.stream().anyMatch(path -> took(path).compareTo(limit) < 0)) {
			throwAssertionError(shouldTakeAtLeast(actual, filter, from, to, limit, timed));
		}
		return myself;
	}

	private Duration took(PacketPath path) {
		return path.took(from, to).orElseThrow();
	}

	private static void check(Duration limit, String method) {
		Objects.requireNonNull(limit, method);
		if (limit.isNegative()) {
			throw new IllegalArgumentException(method + "(" + limit + "): a time taken is zero or more; e.g. "
					+ method + "(Duration.ofMillis(5))");
		}
	}
}
