package io.tracepackets.assertj.error;


import io.tracepackets.AddressText;
import io.tracepackets.PacketFilter;
import io.tracepackets.PacketPath;
import io.tracepackets.PacketTrace;
import io.tracepackets.SendShortfall;
import io.tracepackets.TracedNamespace;
import io.tracepackets.XdpProgram;
import java.util.List;
import java.util.function.Predicate;
import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * Messages about the packets matching a filter. Each shows what was expected, what failed, and
 * the matching packets' paths through the kernel, pwru-style, so the failure explains itself.
 */
public final class PacketsShould extends BasicErrorMessageFactory {

	private PacketsShould(String format, Object... arguments) {
		super(format, arguments);
	}

	/**
	 * Every matching packet should satisfy {@code expectation}.
	 *
	 * @param trace the trace, whose data the message shows: its packets rendered, what was traced and how
	 * @param filter which packets, shown as their description: {@code udp and dst port 9000}
	 * @param expectation what each packet should be, a line of the message: {@code "to be dropped
	 *     (lost)"}
	 * @param matches the matching packets; when empty, the message says the trace has none
	 * @param condition tells the failing packets from the others; only the failing are shown
	 * @return the message, for {@code throwAssertionError}
	 */
	public static ErrorMessageFactory shouldAllBe(PacketTrace trace, PacketFilter filter, String expectation,
			List<PacketPath> matches, Predicate<PacketPath> condition) {
		if (matches.isEmpty()) {
			return new PacketsShould("%nExpecting packets matching:%n  %s%n%s%nbut the trace has no such packet.%n%s",
					unquotedString(filter.toString()), unquotedString(expectation), unquotedString(context(trace)));
		}
		List<PacketPath> failing = matches.stream().filter(condition.negate()).toList();
		return new PacketsShould("%nExpecting packets matching:%n  %s%n%s%nbut %s of %s did not:%n%s%n%s",
				unquotedString(filter.toString()), unquotedString(expectation), failing.size(), matches.size(),
				unquotedString(PwruFormat.render(trace, failing)), unquotedString(context(trace)));
	}

	/**
	 * Every matching packet should satisfy {@code expectation}.
	 *
	 * @param trace the trace, whose data the message shows: its packets rendered, what was traced and how
	 * @param filter which packets, shown as their description: {@code udp and dst port 9000}
	 * @param expectation what each packet should be, e.g. {@link Expectation#toBeDropped()}
	 * @param matches the matching packets; when empty, the message says the trace has none
	 * @param condition tells the failing packets from the others; only the failing are shown
	 * @return the message, for {@code throwAssertionError}
	 */
	public static ErrorMessageFactory shouldAllBe(PacketTrace trace, PacketFilter filter, Expectation expectation,
			List<PacketPath> matches, Predicate<PacketPath> condition) {
		return shouldAllBe(trace, filter, expectation.text(), matches, condition);
	}

	/**
	 * No matching packet should be {@code expectation}; {@code offending} are those that were.
	 *
	 * @param trace the trace, whose data the message shows: its packets rendered, what was traced and how
	 * @param filter which packets, shown as their description: {@code udp and dst port 9000}
	 * @param expectation what no packet should be, e.g. {@link Expectation#neverToReach(String)}
	 * @param offending the packets that were, shown with their paths
	 * @return the message, for {@code throwAssertionError}
	 */
	public static ErrorMessageFactory shouldNone(PacketTrace trace, PacketFilter filter, Expectation expectation,
			List<PacketPath> offending) {
		return shouldNone(trace, filter, expectation.text(), offending);
	}

	/**
	 * No matching packet should be {@code expectation}; {@code offending} are those that were.
	 *
	 * @param trace the trace, whose data the message shows: its packets rendered, what was traced and how
	 * @param filter which packets, shown as their description: {@code udp and dst port 9000}
	 * @param expectation what no packet should be, a line of the message: {@code "never to reach
	 *     ip_forward"}
	 * @param offending the packets that were, shown with their paths
	 * @return the message, for {@code throwAssertionError}
	 */
	public static ErrorMessageFactory shouldNone(PacketTrace trace, PacketFilter filter, String expectation,
			List<PacketPath> offending) {
		return new PacketsShould("%nExpecting packets matching:%n  %s%n%s%nbut %s did:%n%s%n%s",
				unquotedString(filter.toString()), unquotedString(expectation), offending.size(),
				unquotedString(PwruFormat.render(trace, offending)), unquotedString(context(trace)));
	}

	/**
	 * Exactly {@code expected} packets should match.
	 *
	 * @param trace the trace, whose data the message shows: its packets rendered, what was traced and how
	 * @param filter which packets, shown as their description: {@code udp and dst port 9000}
	 * @param expected the count asked for
	 * @param matches the packets that did match, shown with their paths
	 * @return the message, for {@code throwAssertionError}
	 */
	public static ErrorMessageFactory shouldHaveCount(PacketTrace trace, PacketFilter filter, int expected,
			List<PacketPath> matches) {
		return new PacketsShould("%nExpecting exactly %s packets matching:%n  %s%nbut found %s:%n%s%n%s", expected,
				unquotedString(filter.toString()), matches.size(), unquotedString(PwruFormat.render(trace, matches)),
				unquotedString(context(trace)));
	}

	/** The test's sends that fell short, one per line: packets never sent cannot be traced. */
	static void appendShortfalls(StringBuilder text, PacketTrace trace) {
		List<SendShortfall> shortfalls = trace.sendsThatFellShort();
		if (!shortfalls.isEmpty()) {
			text.append(System.lineSeparator()).append("Sends of this test that fell short (what was not sent cannot be"
					+ " traced):");
			shortfalls.forEach(send -> text.append(System.lineSeparator()).append("  ").append(describe(send)));
		}
	}

	/**
	 * A send that fell short, in a line.
	 *
	 * @param send the send
	 * @return e.g. {@code "0 of 3 UDP datagrams sent to 10.10.20.99:7600 from this JVM: Network is
	 *     unreachable"} or {@code "no TCP connection to 10.10.20.99:7602 from this JVM: ..."}
	 */
	public static String describe(SendShortfall send) {
		String to = AddressText.of(send.destination().getAddress()) + ":" + send.destination().getPort();
		return (send.isConnection() ? "no TCP connection to " + to
				: send.sent() + " of " + send.asked() + " UDP datagrams sent to " + to)
				+ " from " + send.origin() + ": " + send.error();
	}

	/** What was traced: scope, backend and why it was chosen, so an empty result can be understood. */
	static String context(PacketTrace trace) {
		int packets = trace.paths().size();
		StringBuilder text = new StringBuilder("Traced ");
		text.append(packets).append(packets == 1 ? " packet" : " packets").append(" in netns ");
		List<String> labels = trace.namespaces().stream().map(TracedNamespace::label).toList();
		text.append(labels.isEmpty() ? "(none: scope the trace to a container or netns)" : String.join(", ", labels));
		text.append(" with the ").append(trace.probes().backend()).append(" backend (")
				.append(trace.probes().backendSummary()).append(").");
		appendShortfalls(text, trace);
		List<XdpProgram> xdp = trace.xdpPrograms();
		if (!xdp.isEmpty()) {
			text.append(System.lineSeparator()).append("XDP programs attached in the traced namespaces (a packet one drops"
					+ " at a NIC's driver hook never becomes an skb: only a probe on the program sees it):");
			xdp.forEach(program -> text.append(System.lineSeparator()).append("  ").append(describe(program)));
		}
		return text.toString();
	}

	/**
	 * An XDP program as failure messages list it.
	 *
	 * @param program a program of {@link PacketTrace#xdpPrograms()}
	 * @return e.g. {@code "xdp_drop_9100 (id 42) on veth1, native mode: its drops are traced (fexit on
	 *     the program)"}, or {@code "...: attribution by attach point only (no probe on the program:
	 *     why)"}
	 */
	public static String describe(XdpProgram program) {
		return program.name() + " (id " + program.id() + ") on " + program.device() + ", " + program.mode() + " mode: "
				+ program.whyNotTraced().map(why -> "attribution by attach point only (no probe on the program: " + why
						+ ")").orElse("its drops are traced (fexit on the program)");
	}
}
