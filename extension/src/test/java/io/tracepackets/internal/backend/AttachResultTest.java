package io.tracepackets.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AttachResultTest {

	@Test
	void should_group_failures_by_cause_most_frequent_first_naming_a_few_functions() {
		// GIVEN three functions refused for one cause, one for another
		Map<String, String> failed = new TreeMap<>(Map.of(
				"tcp_a", "attach fentry tcp_a: EMFILE (Too many open files)",
				"tcp_b", "attach fentry tcp_b: EMFILE (Too many open files)",
				"tcp_c", "attach fentry tcp_c: EMFILE (Too many open files)",
				"udp_d", "load fentry clone for udp_d: EINVAL (Invalid argument)"));

		// WHEN
		String summary = AttachResult.byCause(failed);

		// THEN the function's own name becomes <f>, so the causes group
		assertThat(summary).isEqualTo("3 x attach fentry <f>: EMFILE (Too many open files), e.g. tcp_a, tcp_b, tcp_c; "
				+ "1 x load fentry clone for <f>: EINVAL (Invalid argument), e.g. udp_d");
	}

	@Test
	void should_count_unsupported_and_failed_functions_as_not_attached() {
		// GIVEN
		AttachResult result = new AttachResult(java.util.List.of(), java.util.List.of("ip_rcv"),
				Map.of("tcp_a", "EMFILE"), Map.of("genl_x", "takes 7 arguments"), java.time.Duration.ZERO);

		// WHEN / THEN
		assertThat(result.notAttached()).containsOnlyKeys("tcp_a", "genl_x");
	}
}
