package io.tracepackets;

import static io.tracepackets.KernelErrno.EHOSTUNREACH;
import static io.tracepackets.KernelErrno.EPERM;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReturnValueTest {

	@Test
	void should_name_a_negative_errno_and_call_it_an_error() {
		// WHEN
		ReturnValue value = ReturnValue.of("ip_route_input_noref", -EHOSTUNREACH);

		// THEN
		assertThat(value.text()).isEqualTo("-EHOSTUNREACH");
		assertThat(value.errno()).contains("EHOSTUNREACH");
		assertThat(value.isError()).isTrue();
		assertThat(value).hasToString("-EHOSTUNREACH");
	}

	@Test
	void should_say_what_nf_hook_slow_s_verdicts_mean() {
		assertThat(ReturnValue.of("nf_hook_slow", 1)).hasToString("1 (accept)");
		assertThat(ReturnValue.of("nf_hook_slow", 0)).hasToString("0 (stolen or queued)");
		assertThat(ReturnValue.of("nf_hook_slow", -EPERM)).hasToString("-EPERM (drop)");
		assertThat(ReturnValue.of("nf_hook_slow", 1).isError()).isFalse();
		assertThat(ReturnValue.of("sk_filter_trim_cap", -EPERM)).hasToString("-EPERM (filtered out)");
		assertThat(ReturnValue.of("ip_route_input_noref", 0)).hasToString("0 (routed)");
	}

	@Test
	void should_keep_numbers_no_header_names_as_numbers() {
		assertThat(ReturnValue.text(-4000)).isEqualTo("-4000");
		assertThat(ReturnValue.text(-70000)).isEqualTo("-70000");
		assertThat(ReturnValue.text(-524)).isEqualTo("-ENOTSUPP");
		assertThat(ReturnValue.of("nf_hook_slow", -70000).errno()).isEmpty();
	}
}
