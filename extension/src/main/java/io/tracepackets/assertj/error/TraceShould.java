package io.tracepackets.assertj.error;


import io.tracepackets.EventStoreOverflow;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.UnscopedContainer;
import java.util.List;
import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/** Messages about the trace itself: lost events, unknown names. */
public final class TraceShould extends BasicErrorMessageFactory {

	/** What still answers on a trace that lost events: the kernel's counts, which the ring buffer does not carry. */
	private static final String COUNTS_ANSWER = "Counts lose nothing: assertThat(trace).drops().withReason(...).hasCount(n)"
			+ " and assertThat(trace).counts().at(\"net_dev_queue\").hasCount(n) answer exactly from what the probes"
			+ " counted in the kernel.";

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
		long skipped = trace.skippedProbeRuns();
		long dropped = trace.lostEvents() - skipped;
		EventStoreOverflow overflow = trace.storeOverflow().orElse(null);
		if (overflow != null) {
			return shouldNotHaveOverflowed(dropped, skipped, overflow);
		}
		if (skipped == 0) {
			return new TraceShould("%nExpecting the trace to hold every event, but it lost:%n  %s%n"
					+ "The ring buffer or the event store was full, so any assertion on this trace could be wrong.%n"
					+ "Raise -D%s (ring buffer bytes) or -D%s (event store bytes), or send fewer packets.%n%s",
					unquotedString(dropped + " events"), unquotedString(TracePackets.RING_BUFFER_PROPERTY),
					unquotedString(TracePackets.EVENT_BYTES_PROPERTY), unquotedString(COUNTS_ANSWER));
		}
		return new TraceShould("%nExpecting the trace to hold every event, but it lost:%n  %s%n  %s%n"
				+ "A probe already running on a CPU is not run again there, and a kprobe that fires inside another's"
				+ " handler is dropped: those events never were.%n"
				+ "Raise -D%s (ring buffer bytes) or -D%s (event store bytes) for the first; send less at once, or"
				+ " probe fewer functions, for the second.%n%s",
				unquotedString(dropped + " events (the ring buffer or the event store was full)"),
				unquotedString(skipped + " probe runs the kernel skipped (recursion, kprobe misses)"),
				unquotedString(TracePackets.RING_BUFFER_PROPERTY), unquotedString(TracePackets.EVENT_BYTES_PROPERTY),
				unquotedString(COUNTS_ANSWER));
	}

	/**
	 * The event store's budget was used up: names the budget, what the trace needed, and what
	 * narrows the trace (a pcap filter, fewer functions) before the property to raise.
	 */
	private static ErrorMessageFactory shouldNotHaveOverflowed(long dropped, long skipped, EventStoreOverflow overflow) {
		String nl = System.lineSeparator();
		StringBuilder lost = new StringBuilder("  " + overflow.events() + " events the event store had no room for");
		long inRingBuffer = dropped - overflow.events();
		if (inRingBuffer > 0) {
			lost.append(nl).append("  ").append(inRingBuffer).append(" events the ring buffer had no room for (raise -D")
					.append(TracePackets.RING_BUFFER_PROPERTY).append(")");
		}
		if (skipped > 0) {
			lost.append(nl).append("  ").append(skipped)
					.append(" probe runs the kernel skipped (recursion, kprobe misses)");
		}
		return new TraceShould("%nExpecting the trace to hold every event, but it lost:%n%s%n"
				+ "The event store's budget, -D%s=%s (%s), was used up: this trace needed %s for its events."
				+ " Any assertion on its packets and paths could be wrong.%n"
				+ "Trace less: a pcap filter keeps only the packets the test asks about"
				+ " (@TracePackets(filter = \"udp port 53\")), fewer functions keep fewer events per packet"
				+ " (@TracePackets(functions = \"ip_rcv|udp_rcv\")), no packet bytes keep each event small"
				+ " (snapLength = 0); or raise -D%s to %s or more, or send fewer packets.%n%s",
				unquotedString(lost.toString()), unquotedString(TracePackets.EVENT_BYTES_PROPERTY),
				unquotedString(Long.toString(overflow.budgetBytes())), unquotedString(mebibytes(overflow.budgetBytes())),
				unquotedString(mebibytes(overflow.neededBytes())), unquotedString(TracePackets.EVENT_BYTES_PROPERTY),
				unquotedString(Long.toString(roundedUp(overflow.neededBytes()))), unquotedString(COUNTS_ANSWER));
	}

	/** {@code bytes} in MiB, as a person reads a budget: {@code "4 MiB"}, {@code "97.3 MiB"}. */
	private static String mebibytes(long bytes) {
		double mib = bytes / (double) (1 << 20);
		return (mib == Math.rint(mib) ? Long.toString((long) mib) : String.format(java.util.Locale.ROOT, "%.1f", mib))
				+ " MiB";
	}

	/** {@code bytes} rounded up to whole MiB: a value to give the property. */
	private static long roundedUp(long bytes) {
		return ((bytes + (1 << 20) - 1) >> 20) << 20;
	}

	/**
	 * The trace should have something in scope: an assertion on no namespace, negative ones above
	 * all ({@code areNone()}, {@code hasCount(0)}), would pass on packets nobody looked at. Names
	 * what the test holds that could be scoped, and the ways to scope.
	 *
	 * @param trace a trace with no namespace in scope
	 * @return the message, for {@code throwAssertionError}
	 */
	public static ErrorMessageFactory shouldHaveANamespaceInScope(PacketTrace trace) {
		String nl = System.lineSeparator();
		List<String> candidates = trace.unscopedContainers().stream().map(TraceShould::describe).toList();
		String found = candidates.isEmpty() ? "The test holds no container that could be scoped." + nl
				: "The test holds containers that are not in scope:" + nl + "  " + String.join(nl + "  ", candidates) + nl;
		return new TraceShould("%nExpecting the trace to be scoped to at least one network namespace, but nothing is in"
				+ " scope:%nno packet could match, so no assertion on this trace can tell anything, negative ones"
				+ " least of all.%n%s"
				+ "Scope it: annotate a container field @Container (Testcontainers), name fields in"
				+ " @TracePackets(containers = \"...\"), call trace.scope(container), trace.scope(Path.of(\"/run/netns/<name>\"))"
				+ " or trace.scopeHostNetwork(), or set @TracePackets(hostNetwork = true) or (allNamespaces = true).",
				unquotedString(found));
	}

	/**
	 * A filter on packet bytes ({@code pcap(...)}) should have bytes to run on: says that none of
	 * the traced packets carries any, and how to capture them.
	 *
	 * @param trace a trace whose events carry no packet bytes
	 * @param filter the filter that reads them
	 * @return the message, for {@code throwAssertionError}
	 */
	public static ErrorMessageFactory shouldCarryPacketBytes(PacketTrace trace, io.tracepackets.PacketFilter filter) {
		return new TraceShould("%nExpecting packets matching:%n  %s%nbut that filter runs on packet bytes, and none of the"
				+ " %s packets traced carries any:%nno packet could match, so the assertion could tell nothing.%n"
				+ "Capture bytes with @TracePackets(snapLength = 128) or -D%s=128, or filter on the event's fields"
				+ " (udp().dstPort(...)), which need no bytes.",
				unquotedString(filter.toString()), trace.paths().size(), unquotedString(TracePackets.SNAP_LENGTH_PROPERTY));
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

	/**
	 * A container out of scope, in a line.
	 *
	 * @param container the container
	 * @return e.g. {@code "field web (GenericContainer) of WebTest, not annotated @Container"}
	 */
	public static String describe(UnscopedContainer container) {
		String why = container.namedOthers() ? "not named in @TracePackets(containers = ...)" : "not annotated @Container";
		return (container.holder() == UnscopedContainer.Holder.FIELD ? "field " : "bean ") + container.name() + " ("
				+ container.type() + ") of " + container.owner() + ", " + why;
	}
}
