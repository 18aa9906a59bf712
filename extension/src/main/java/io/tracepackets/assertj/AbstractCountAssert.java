package io.tracepackets.assertj;

import static io.tracepackets.assertj.error.CountsShould.shouldHaveCount;
import static io.tracepackets.assertj.error.CountsShould.shouldHaveCountedEveryEvent;
import static io.tracepackets.assertj.error.TraceShould.shouldHaveANamespaceInScope;

import io.tracepackets.KernelCounts;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracingUnavailableException;
import java.util.function.LongPredicate;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on one of the kernel's exact counts ({@link PacketTrace#counts()}): counted by the
 * probes before an event goes to the ring buffer, so they hold whatever the trace lost. A trace that
 * lost events still answers them, and says so in the log; the path assertions
 * ({@link PacketsAssert}) fail instead.
 *
 * <p>Each fails when nothing is in the trace's scope (no namespace could be counted), and throws
 * {@link TracingUnavailableException} when the kernel skipped runs of the probe the count rests on
 * (a count would then be short by runs nobody saw).
 *
 * @param <SELF> the assertion's own type, for chaining
 */
public abstract class AbstractCountAssert<SELF extends AbstractCountAssert<SELF>> extends AbstractAssert<SELF, PacketTrace> {

	private static final long POLL_MILLIS = 10;
	private static final System.Logger LOG = System.getLogger(AbstractCountAssert.class.getName());

	/**
	 * Assertions on a count of {@code actual}.
	 *
	 * @param actual the trace; null fails the first assertion
	 * @param selfType the assertion's class
	 */
	protected AbstractCountAssert(PacketTrace actual, Class<?> selfType) {
		super(actual, selfType);
	}

	/**
	 * What is counted, as messages say it.
	 *
	 * @return e.g. {@code "drops with reason NO_SOCKET"}
	 */
	protected abstract String counted();

	/**
	 * The count out of all the trace's counts.
	 *
	 * @param counts the trace's counts
	 * @return the number this assertion is about
	 */
	protected abstract long count(KernelCounts counts);

	/**
	 * The probe point whose skipped runs would make the count short.
	 *
	 * @return an event name, e.g. {@code "kfree_skb"}
	 */
	protected abstract String probe();

	/**
	 * Exactly {@code expected}: waits up to the trace's await timeout for the count to reach it
	 * (packets may still be queued), then compares.
	 *
	 * @param expected how many, 0 or more
	 * @return this assertion, for chaining
	 */
	public SELF hasCount(long expected) {
		KernelCounts counts = awaitCount(count -> count >= expected);
		return check("hasCount(" + expected + ")", counts, "exactly", expected, count(counts) == expected);
	}

	/**
	 * Nothing counted (reads the counts once, without waiting).
	 *
	 * @return this assertion, for chaining
	 */
	public SELF isZero() {
		isScoped();
		KernelCounts counts = actual.counts();
		return check("isZero()", counts, "exactly", 0, count(counts) == 0);
	}

	/**
	 * {@code minimum} or more: waits up to the trace's await timeout for the count to reach it.
	 *
	 * @param minimum the least count that passes
	 * @return this assertion, for chaining
	 */
	public SELF isAtLeast(long minimum) {
		KernelCounts counts = awaitCount(count -> count >= minimum);
		return check("isAtLeast(" + minimum + ")", counts, "at least", minimum, count(counts) >= minimum);
	}

	private SELF check(String assertion, KernelCounts counts, String comparison, long expected, boolean holds) {
		String named = counted() + "." + assertion;
		PacketsAssert.requireNoSkippedRuns(actual, named, actual.skippedProbeRuns(probe()), "at " + probe());
		if (counts.uncounted() > 0) {
			throwAssertionError(shouldHaveCountedEveryEvent(actual, counted(), counts));
		}
		if (!holds) {
			throwAssertionError(shouldHaveCount(actual, counted(), comparison, expected, count(counts), counts));
		}
		long lost = actual.lostEvents() - actual.skippedProbeRuns();
		if (lost > 0) {
			// The answer is the kernel's, not the events': say so where the test's output goes.
			LOG.log(System.Logger.Level.INFO, "{0} held on the kernel''s exact counts ({1} counted); the trace lost {2}"
					+ " events, which the counts do not depend on", named, count(counts), lost);
		}
		return myself;
	}

	private KernelCounts awaitCount(LongPredicate reached) {
		isScoped();
		long deadline = System.nanoTime() + actual.awaitTimeout().toNanos();
		KernelCounts counts = actual.counts();
		while (!reached.test(count(counts)) && System.nanoTime() < deadline) {
			try {
				Thread.sleep(POLL_MILLIS);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				break;
			}
			counts = actual.counts();
		}
		return counts;
	}

	/** Not null, and something in scope: counts of no namespace would be 0 about nothing. */
	void isScoped() {
		isNotNull();
		if (PacketsAssert.hasNothingInScope(actual)) {
			throwAssertionError(shouldHaveANamespaceInScope(actual));
		}
	}
}
