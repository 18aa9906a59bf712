package io.tracepackets.assertj.error;

import io.tracepackets.PacketEvent;
import io.tracepackets.PacketFilter;
import io.tracepackets.PacketPath;
import io.tracepackets.PacketTrace;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * Messages about the time the matching packets took between two points of their paths. Each
 * says how long the packets out of bounds took, the slowest (or fastest) first, one line each,
 * then shows their paths, whose HOP column says where the time went.
 */
public final class TimeTakenShould extends BasicErrorMessageFactory {

	/** How many of the packets out of bounds are listed and shown: a queue can hold hundreds. */
	static final int SHOWN = 5;

	private TimeTakenShould(String format, Object... arguments) {
		super(format, arguments);
	}

	/**
	 * Every timed packet should have taken at most {@code limit} from {@code from} to {@code to}.
	 *
	 * @param trace the trace, whose data the message shows: the packets rendered, what was traced and how
	 * @param filter which packets, shown as their description: {@code udp and dst port 9000}
	 * @param from the event name the time counts from, e.g. {@code "netif_receive_skb"}
	 * @param to the event name it counts to, e.g. {@code "socket_receive"}
	 * @param limit the longest time allowed
	 * @param timed the matching packets, each with {@code from} and a {@code to} after it
	 *     ({@link PacketPath#took(String, String)} present); those that took longer are shown,
	 *     the slowest first
	 * @return the message, for {@code throwAssertionError}
	 */
	public static ErrorMessageFactory shouldTakeAtMost(PacketTrace trace, PacketFilter filter, String from, String to,
			Duration limit, List<PacketPath> timed) {
		List<PacketPath> slow = timed.stream().filter(path -> took(path, from, to).compareTo(limit) > 0)
				.sorted(Comparator.comparing((PacketPath path) -> took(path, from, to)).reversed()).toList();
		return create(trace, filter, from, to, Expectation.toTakeAtMost(from, to, limit), timed, slow, "longer",
				"slowest");
	}

	/**
	 * Every timed packet should have taken at least {@code limit} from {@code from} to {@code to}.
	 *
	 * @param trace the trace, whose data the message shows: the packets rendered, what was traced and how
	 * @param filter which packets, shown as their description: {@code udp and dst port 9000}
	 * @param from the event name the time counts from, e.g. {@code "net_dev_queue"}
	 * @param to the event name it counts to, e.g. {@code "net_dev_start_xmit"}
	 * @param limit the shortest time allowed
	 * @param timed the matching packets, each with {@code from} and a {@code to} after it; those
	 *     that took less are shown, the fastest first
	 * @return the message, for {@code throwAssertionError}
	 */
	public static ErrorMessageFactory shouldTakeAtLeast(PacketTrace trace, PacketFilter filter, String from, String to,
			Duration limit, List<PacketPath> timed) {
		List<PacketPath> fast = timed.stream().filter(path -> took(path, from, to).compareTo(limit) < 0)
				.sorted(Comparator.comparing((PacketPath path) -> took(path, from, to))).toList();
		return create(trace, filter, from, to, Expectation.toTakeAtLeast(from, to, limit), timed, fast, "less",
				"fastest");
	}

	private static ErrorMessageFactory create(PacketTrace trace, PacketFilter filter, String from, String to,
			Expectation expectation, List<PacketPath> timed, List<PacketPath> outOfBounds, String comparison,
			String extreme) {
		List<PacketPath> shown = outOfBounds.subList(0, Math.min(SHOWN, outOfBounds.size()));
		String which = outOfBounds.size() > SHOWN ? "; the " + SHOWN + " " + extreme + ":" : ", the " + extreme
				+ " first:";
		StringBuilder times = new StringBuilder();
		for (PacketPath path : shown) {
			PacketEvent start = path.events().stream().filter(event -> event.where().equals(from)).findFirst()
					.orElseThrow();
			times.append(String.format(Locale.ROOT, "  %-11s 0x%x  %s", PwruFormat.millis(took(path, from, to)
					.toNanos()), path.skb(), PwruFormat.tuple(start))).append(System.lineSeparator());
		}
		return new TimeTakenShould("%nExpecting packets matching:%n  %s%n%s%nbut %s of %s took %s%s%n%s"
				+ "their paths (HOP: the time since the packet's previous event):%n%s%n%s",
				unquotedString(filter.toString()), unquotedString(expectation.text()), outOfBounds.size(),
				timed.size(), unquotedString(comparison), unquotedString(which), unquotedString(times.toString()),
				unquotedString(PwruFormat.render(trace, shown)), unquotedString(PacketsShould.context(trace)));
	}

	private static Duration took(PacketPath path, String from, String to) {
		return path.took(from, to).orElseThrow(() -> new IllegalArgumentException("a timed packet passes " + from
				+ " → " + to + ": " + path));
	}
}
