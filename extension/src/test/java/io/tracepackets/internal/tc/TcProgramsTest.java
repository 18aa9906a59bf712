package io.tracepackets.internal.tc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TcProgramsTest {

	@Test
	void should_read_the_programs_of_tcs_json_filter_listing() {
		// GIVEN what iproute2 6.1 printed for a clsact ingress hook with one bpf da filter
		String json = "[{\"protocol\":\"all\",\"pref\":49152,\"kind\":\"bpf\",\"chain\":0},{\"protocol\":\"all\","
				+ "\"pref\":49152,\"kind\":\"bpf\",\"chain\":0,\"options\":{\"handle\":\"0x1\",\"bpf_name\":"
				+ "\"drop_udp_9000.bpf.o:[tc]\",\"direct-action\":true,\"not_in_hw\":true,\"prog\":{\"id\":13062,"
				+ "\"name\":\"drop_udp_9000\",\"tag\":\"fa40fdbc480bb5c4\",\"jited\":1}}}]";

		// WHEN / THEN
		assertThat(TcPrograms.parse(json)).containsExactly(new TcPrograms.Program("drop_udp_9000", 13062));
		assertThat(TcPrograms.parse("[]")).isEmpty();
	}
}
