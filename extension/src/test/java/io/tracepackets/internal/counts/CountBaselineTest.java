package io.tracepackets.internal.counts;

import static org.assertj.core.api.BDDAssertions.then;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CountBaselineTest {

	private static final CountKey QUEUED = new CountKey(7, 4, 0, 0);
	private static final CountKey DROPPED = new CountKey(7, 1, 5, 0xffffffff81000000L);
	private static final CountKey OTHER_NETNS = new CountKey(8, 4, 0, 0);

	@Test
	void should_count_what_came_after_each_namespace_was_scoped() {
		// GIVEN totals at the lease of netns 7, then of netns 8
		CountBaseline baseline = new CountBaseline();
		baseline.include(Map.of(QUEUED, 100L));
		baseline.include(Map.of(OTHER_NETNS, 40L));

		// WHEN
		Map<CountKey, Long> since = baseline.since(Map.of(QUEUED, 150L, DROPPED, 3L, OTHER_NETNS, 40L));

		// THEN entries new since the lease count whole; unchanged ones are left out
		then(since).isEqualTo(Map.of(QUEUED, 50L, DROPPED, 3L));
	}

	@Test
	void should_keep_the_first_baseline_of_an_entry() {
		// GIVEN every namespace scoped first, then netns 7 again by name
		CountBaseline baseline = new CountBaseline();
		baseline.include(Map.of(QUEUED, 100L));
		baseline.include(Map.of(QUEUED, 130L));

		// WHEN / THEN the trace counted netns 7 since the first
		then(baseline.since(Map.of(QUEUED, 150L))).isEqualTo(Map.of(QUEUED, 50L));
	}

	@Test
	void should_count_an_entry_made_again_from_zero() {
		// GIVEN an entry deleted and made again since the baseline (its total fell below it)
		CountBaseline baseline = new CountBaseline();
		baseline.include(Map.of(QUEUED, 100L));

		// WHEN / THEN
		then(baseline.since(Map.of(QUEUED, 20L))).isEqualTo(Map.of(QUEUED, 20L));
	}
}
