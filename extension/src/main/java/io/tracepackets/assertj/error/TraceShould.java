package io.tracepackets.assertj.error;


import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import java.util.List;
import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/** Messages about the trace itself: lost events, unknown names. */
public final class TraceShould extends BasicErrorMessageFactory {

	private TraceShould(String format, Object... arguments) {
		super(format, arguments);
	}

	/**
	 * The trace should hold every event: says how many were lost and which properties to raise.
	 *
	 * @param trace a trace whose {@link PacketTrace#lostEvents()} is above 0
	 * @return the message, for {@code throwAssertionError}
	 */
	public static ErrorMessageFactory shouldNotHaveLostEvents(PacketTrace trace) {
		return new TraceShould("%nExpecting the trace to hold every event, but it lost:%n  %s%n"
				+ "The ring buffer or the event store was full, so any assertion on this trace could be wrong.%n"
				+ "Raise -D%s (ring buffer bytes) or -D%s, or send fewer packets.",
				unquotedString(trace.lostEvents() + " events"), unquotedString(TracePackets.RING_BUFFER_PROPERTY),
				unquotedString(TracePackets.MAX_EVENTS_PROPERTY));
	}

	/**
	 * A name should exist in the running kernel: says so, and offers the nearest names.
	 *
	 * @param name the name asked for, e.g. {@code "ip_ouput"}
	 * @param what what it should have been, after "a": {@code "kernel function or tracepoint"}
	 * @param suggestions names to offer, nearest first; empty leaves out "Did you mean"
	 * @return the message, for {@code throwAssertionError}
	 */
	public static ErrorMessageFactory shouldBeKnownName(String name, String what, List<String> suggestions) {
		return new TraceShould("%nExpecting a %s, but the running kernel has none called:%n  %s%n%s",
				unquotedString(what), unquotedString(name), unquotedString(suggestions.isEmpty() ? ""
						: "Did you mean:" + System.lineSeparator() + "  " + String.join(System.lineSeparator() + "  ",
								suggestions)));
	}
}
