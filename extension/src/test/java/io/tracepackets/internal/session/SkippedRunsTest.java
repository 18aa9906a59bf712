package io.tracepackets.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which probe point a skipped run could have been an event at, from counters the test sets. */
class SkippedRunsTest {

	private final Map<Integer, Long> programMisses = new HashMap<>();
	private final Map<Integer, Long> linkMisses = new HashMap<>();

	/**
	 * Program 1: the kfree_skb tracepoint; 2: fentry on udp_rcv; 3: the shared kprobe program on
	 * ip_rcv (link 30) and tcp_v4_rcv (link 31); 4: kprobe-multi on every function.
	 */
	private final SkippedRuns skipped = new SkippedRuns(
			Map.of(1, Set.of("kfree_skb"), 2, Set.of("udp_rcv"), 3, new LinkedHashSet<>(Set.of("ip_rcv", "tcp_v4_rcv")), 4,
					Set.of(SkippedRuns.EVERY_FUNCTION)),
			Map.of(30, "ip_rcv", 31, "tcp_v4_rcv"), Set.of("kfree_skb"),
			id -> programMisses.getOrDefault(id, 0L), fd -> linkMisses.getOrDefault(fd, 0L));

	@Test
	void should_read_a_link_name_as_the_point_it_serves() {
		assertThat(SkippedRuns.pointOf("fentry/udp_rcv")).isEqualTo("udp_rcv");
		assertThat(SkippedRuns.pointOf("kprobe_skb_1@ip_rcv")).isEqualTo("ip_rcv");
		assertThat(SkippedRuns.pointOf("kprobe_multi_skb_1@1707 functions")).isEqualTo(SkippedRuns.EVERY_FUNCTION);
		assertThat(SkippedRuns.pointOf("kfree_skb")).isEqualTo("kfree_skb");
	}

	@Test
	void should_count_only_the_growth_since_the_window_opened() {
		// GIVEN runs skipped before the window
		programMisses.put(2, 5L);
		SkippedRuns.Counts atOpen = skipped.read();

		// WHEN two more
		programMisses.put(2, 7L);

		// THEN
		SkippedRuns.Counts growth = skipped.read().since(atOpen);
		assertThat(growth.total()).isEqualTo(2);
		assertThat(growth.at("udp_rcv")).isEqualTo(2);
		assertThat(growth.at("ip_rcv")).isZero();
	}

	@Test
	void should_attribute_a_kprobe_link_miss_to_its_function_and_a_shared_program_to_each_of_its_functions() {
		// GIVEN
		SkippedRuns.Counts atOpen = skipped.read();
		linkMisses.put(30, 1L);
		programMisses.put(3, 2L);

		// WHEN
		SkippedRuns.Counts growth = skipped.read().since(atOpen);

		// THEN ip_rcv: its link's miss and its shared program's; tcp_v4_rcv: the program's only
		assertThat(growth.at("ip_rcv")).isEqualTo(3);
		assertThat(growth.at("tcp_v4_rcv")).isEqualTo(2);
		assertThat(growth.at("kfree_skb")).isZero();
		assertThat(growth.atTracepoints()).isZero();
		assertThat(growth.total()).isEqualTo(3);
	}

	@Test
	void should_count_a_multi_function_program_for_every_function_but_not_for_tracepoints() {
		// GIVEN
		SkippedRuns.Counts atOpen = skipped.read();
		programMisses.put(4, 4L);

		// WHEN
		SkippedRuns.Counts growth = skipped.read().since(atOpen);

		// THEN
		assertThat(growth.at("udp_rcv")).isEqualTo(4);
		assertThat(growth.at("nf_hook_slow")).isEqualTo(4);
		assertThat(growth.at("kfree_skb")).isZero();
	}

	@Test
	void should_count_tracepoint_misses_as_what_can_hide_a_whole_packet() {
		// GIVEN
		SkippedRuns.Counts atOpen = skipped.read();
		programMisses.put(1, 1L);

		// WHEN
		SkippedRuns.Counts growth = skipped.read().since(atOpen);

		// THEN
		assertThat(growth.atTracepoints()).isEqualTo(1);
		assertThat(growth.at("kfree_skb")).isEqualTo(1);
	}

	@Test
	void should_count_nothing_after_the_session_closed() {
		// GIVEN
		programMisses.put(1, 9L);
		SkippedRuns.Counts atOpen = skipped.read();

		// WHEN / THEN a closed session's counts are none: no growth, nothing negative
		assertThat(skipped.none().since(atOpen).total()).isZero();
	}
}
