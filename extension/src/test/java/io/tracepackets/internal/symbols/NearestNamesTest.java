package io.tracepackets.internal.symbols;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class NearestNamesTest {

	private static final List<String> KNOWN = List.of(
			"ip_output", "ip6_output", "ip_finish_output", "ip_finish_output2", "ip_rcv", "ip_rcv_core",
			"nf_hook_slow", "nf_hook_slow_list", "__dev_queue_xmit", "dev_queue_xmit", "kfree_skb_partial",
			"consume_skb", "__kfree_skb", "tcp_v4_rcv", "udp_rcv", "IP_Weird_Case");

	@Test
	void should_suggest_names_one_typo_away_first() {
		// GIVEN a missing letter, a wrong letter, a swapped pair

		// WHEN
		List<String> missing = NearestNames.suggest("ip_ouput", KNOWN, 3);
		List<String> dropped = NearestNames.suggest("nf_hook_slw", KNOWN, 3);
		List<String> swapped = NearestNames.suggest("ip_rvc", KNOWN, 1);

		// THEN
		assertThat(missing).startsWith("ip_output", "ip6_output");
		assertThat(dropped).containsExactly("nf_hook_slow");
		assertThat(swapped).containsExactly("ip_rcv");
	}

	@Test
	void should_suggest_names_containing_a_partial_name() {
		// GIVEN

		// WHEN
		List<String> partial = NearestNames.suggest("queue_xmit", KNOWN, 5);
		List<String> prefix = NearestNames.suggest("ip_finish", KNOWN, 5);

		// THEN
		assertThat(partial).containsExactly("dev_queue_xmit", "__dev_queue_xmit");
		assertThat(prefix).containsExactly("ip_finish_output", "ip_finish_output2");
	}

	@Test
	void should_ignore_case_but_never_suggest_the_name_itself() {
		// GIVEN

		// WHEN
		List<String> upper = NearestNames.suggest("ip_weird_case", KNOWN, 2);
		List<String> itself = NearestNames.suggest("ip_rcv", KNOWN, 10);

		// THEN
		assertThat(upper).containsExactly("IP_Weird_Case");
		assertThat(itself).doesNotContain("ip_rcv").containsExactly("udp_rcv", "ip_rcv_core");
	}

	@Test
	void should_suggest_nothing_for_unrelated_names_and_respect_max() {
		// GIVEN

		// WHEN
		List<String> unrelated = NearestNames.suggest("xyzzy_frobnicate", KNOWN, 5);
		List<String> capped = NearestNames.suggest("rcv", KNOWN, 2);
		List<String> none = NearestNames.suggest("ip_output", KNOWN, 0);

		// THEN
		assertThat(unrelated).isEmpty();
		assertThat(capped).hasSize(2);
		assertThat(none).isEmpty();
	}

	@Test
	void should_order_deterministically_regardless_of_input_order() {
		// GIVEN
		List<String> reversed = KNOWN.reversed();

		// WHEN
		List<String> forward = NearestNames.suggest("ip_outptu", KNOWN, 10);
		List<String> backward = NearestNames.suggest("ip_outptu", reversed, 10);

		// THEN
		assertThat(forward).isEqualTo(backward).first().isEqualTo("ip_output");
	}

	@Test
	void should_compute_edit_distance_with_cutoff() {
		// GIVEN
		NearestNames.Scratch scratch = new NearestNames.Scratch();

		// WHEN / THEN
		assertThat(NearestNames.distance("kitten".toCharArray(), "sitting", 3, scratch)).isEqualTo(3);
		assertThat(NearestNames.distance("kitten".toCharArray(), "sitting", 2, scratch)).isEqualTo(3);
		assertThat(NearestNames.distance("abcd".toCharArray(), "abdc", 2, scratch)).isEqualTo(1);
		assertThat(NearestNames.distance("same".toCharArray(), "same", 1, scratch)).isZero();
		assertThat(NearestNames.distance("".toCharArray(), "ab", 2, scratch)).isEqualTo(2);
		assertThat(NearestNames.distance("abcdef".toCharArray(), "ghijkl", 2, scratch)).isEqualTo(3);
	}
}
