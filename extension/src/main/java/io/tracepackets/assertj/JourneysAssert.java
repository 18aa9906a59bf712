package io.tracepackets.assertj;

import static io.tracepackets.assertj.error.JourneysShould.shouldHaveCount;
import static io.tracepackets.assertj.error.TraceShould.shouldHaveANamespaceInScope;
import static io.tracepackets.assertj.error.TraceShould.shouldNotHaveLostEvents;

import io.tracepackets.Journey;
import io.tracepackets.PacketFilter;
import io.tracepackets.PacketPath;
import io.tracepackets.PacketTrace;
import java.util.List;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on the journeys of a trace that have a packet matching a filter. A journey matches
 * when any of its events matches, as the packet was then or before netfilter translated it: a
 * filter on the address a packet was sent to finds it after DNAT, in the namespace it was DNATed
 * to. Positive assertions wait up to the trace's await timeout, then flush. Like
 * {@link PacketsAssert}, every assertion fails on a trace with nothing in scope.
 */
public class JourneysAssert extends AbstractAssert<JourneysAssert, PacketTrace> {

	private final PacketFilter filter;

	/**
	 * Assertions on the journeys of {@code actual} matching {@code filter}; usually made by
	 * {@link PacketTraceAssert#journeys(PacketFilter)}.
	 *
	 * @param actual the trace; null fails the first assertion
	 * @param filter which journeys: those with an event matching it
	 */
	public JourneysAssert(PacketTrace actual, PacketFilter filter) {
		super(actual, JourneysAssert.class);
		this.filter = filter;
	}

	/**
	 * Exactly {@code expected} matching journeys (waits for them, then flushes and counts).
	 *
	 * @param expected how many journeys, 0 or more
	 * @return this assertion, for chaining
	 */
	public JourneysAssert hasCount(int expected) {
		List<Journey> matches = awaitAtLeast(expected);
		if (matches.size() != expected) {
			throwAssertionError(shouldHaveCount(actual, filter, expected, matches));
		}
		PacketsAssert.requireNoSkippedRuns(actual, "journeys hasCount(" + expected + ")");
		return myself;
	}

	/**
	 * Exactly one matching journey, and assertions on it.
	 *
	 * @return assertions on that journey: {@code wasTranslatedTo}, {@code reached}
	 */
	public JourneyAssert theOnlyJourney() {
		hasCount(1);
		return new JourneyAssert(actual, matching(actual.paths()).getFirst());
	}

	private List<Journey> awaitAtLeast(int expected) {
		isNotNull();
		if (PacketsAssert.hasNothingInScope(actual)) {
			throwAssertionError(shouldHaveANamespaceInScope(actual));
		}
		actual.awaitPaths(paths -> matching(paths).size() >= expected, actual.awaitTimeout());
		actual.flush();
		if (actual.lostEvents() - actual.skippedProbeRuns() > 0) {
			throwAssertionError(shouldNotHaveLostEvents(actual));
		}
		return matching(actual.paths());
	}

	private List<Journey> matching(List<PacketPath> paths) {
		return Journey.group(paths).stream().filter(filter::matches).toList();
	}
}
