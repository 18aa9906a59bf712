package io.tracepackets.assertj.error;

import io.tracepackets.Journey;
import io.tracepackets.PacketFilter;
import io.tracepackets.PacketPath;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracedNamespace;
import io.tracepackets.Translation;
import java.util.List;
import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * Messages about packet journeys. Each shows what was expected, the journeys pwru-style with the
 * places their tuple changed, and what the backend can follow.
 */
public final class JourneysShould extends BasicErrorMessageFactory {

	private JourneysShould(String format, Object... arguments) {
		super(format, arguments);
	}

	/**
	 * Exactly {@code expected} journeys should match.
	 *
	 * @param trace the trace, whose data the message shows: its journeys rendered, what was traced and how
	 * @param filter which journeys (any event matching), shown as its description
	 * @param expected the count asked for
	 * @param matches the journeys that did match
	 * @return the message, for {@code throwAssertionError}
	 */
	public static ErrorMessageFactory shouldHaveCount(PacketTrace trace, PacketFilter filter, int expected,
			List<Journey> matches) {
		return new JourneysShould("%nExpecting exactly %s journeys with a packet matching:%n  %s%nbut found %s:%n%s%n%s",
				expected, unquotedString(filter.toString()), matches.size(), unquotedString(render(trace, matches)),
				unquotedString(context(trace)));
	}

	/**
	 * The journey should have been translated to {@code address}:{@code port}.
	 *
	 * @param trace the trace, whose start and namespaces the rendering of the journey uses
	 * @param journey the journey
	 * @param address the address expected after the translation
	 * @param port the port expected after it; 0 for any
	 * @return the message, for {@code throwAssertionError}
	 */
	public static ErrorMessageFactory shouldBeTranslatedTo(PacketTrace trace, Journey journey, String address,
			int port) {
		List<Translation> changes = journey.translations();
		String found = changes.isEmpty() ? "its tuple never changed"
				: "its tuple changed: " + String.join("; ", changes.stream().map(Translation::toString).toList());
		return new JourneysShould("%nExpecting the journey to be translated to:%n  %s%nbut %s:%n%s%n%s",
				unquotedString(port == 0 ? address : address + ":" + port), unquotedString(found),
				unquotedString(render(trace, List.of(journey))), unquotedString(context(trace)));
	}

	/**
	 * The journey should have reached {@code where}.
	 *
	 * @param trace the trace, whose start and namespaces the rendering of the journey uses
	 * @param journey the journey
	 * @param where the event name expected
	 * @return the message, for {@code throwAssertionError}
	 */
	public static ErrorMessageFactory shouldReach(PacketTrace trace, Journey journey, String where) {
		return new JourneysShould("%nExpecting the journey to reach:%n  %s%nbut it did not:%n%s%n%s",
				unquotedString(where), unquotedString(render(trace, List.of(journey))), unquotedString(context(trace)));
	}

	private static String render(PacketTrace trace, List<Journey> journeys) {
		List<PacketPath> paths = journeys.stream().flatMap(journey -> journey.paths().stream()).toList();
		return PwruFormat.render(trace, paths);
	}

	private static String context(PacketTrace trace) {
		List<String> labels = trace.namespaces().stream().map(TracedNamespace::label).toList();
		StringBuilder text = new StringBuilder("Traced " + trace.journeys().size() + " journeys in netns "
				+ (labels.isEmpty() ? "(none: scope the trace to a container or netns)" : String.join(", ", labels))
				+ " with the " + trace.probes().backend() + " backend (" + trace.probes().backendSummary() + "). "
				+ whatJourneysFollow(trace.probes().followsCopies()));
		PacketsShould.appendShortfalls(text, trace);
		return text.toString();
	}

	/**
	 * What a journey follows, for failure messages.
	 *
	 * @param followsCopies whether the tracer follows copies ({@link io.tracepackets.ProbeCatalog#followsCopies()})
	 * @return one sentence
	 */
	public static String whatJourneysFollow(boolean followsCopies) {
		String base = "A journey follows one skb across NAT and namespace crossings (veth, containers)";
		if (!followsCopies) {
			return base + "; a clone or copy (packet sockets, a second receiver) starts a journey of its own, "
					+ "and tracepoints see a locally sent packet only after OUTPUT's NAT "
					+ "(the tuple before it comes from conntrack).";
		}
		return base + ", and the clones and copies the stack makes of it (skb_clone, skb_copy, pskb_copy, "
				+ "skb_copy_expand).";
	}
}
