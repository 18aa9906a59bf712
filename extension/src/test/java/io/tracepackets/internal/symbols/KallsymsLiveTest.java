package io.tracepackets.internal.symbols;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.KernelTest;
import org.junit.jupiter.api.Test;

/** Against the running kernel's /proc/kallsyms (as root, so addresses are visible). */
@KernelTest
class KallsymsLiveTest {

	@Test
	void the_running_kernels_symbols_pass_the_check_at_start() {
		// A tracer loads its symbols when an event needs them; at start it only checks they can be read
		Kallsyms.requireReadable();
	}

	@Test
	void should_symbolize_nf_hook_slow_to_itself() {
		// GIVEN
		Kallsyms kallsyms = Kallsyms.load();
		long address = kallsyms.address("nf_hook_slow").orElseThrow();

		// WHEN
		Symbol symbol = kallsyms.symbolize(address).orElseThrow();
		Symbol inside = kallsyms.symbolize(address + 0x7d).orElseThrow();

		// THEN
		assertThat(symbol).hasToString("nf_hook_slow+0x0");
		assertThat(inside).hasToString("nf_hook_slow+0x7d");
		assertThat(kallsyms.isKernelText(address)).isTrue();
		assertThat(kallsyms.count("nf_hook_slow")).isEqualTo(1);
		assertThat(kallsyms.functionNames()).contains("ip_output", "ip_rcv", "__dev_queue_xmit").hasSizeGreaterThan(20_000);
		assertThat(kallsyms.isKernelText(0x1000L)).isFalse();
	}

	@Test
	void should_suggest_the_nearest_kernel_function_for_a_misspelled_name() {
		// GIVEN (timings belong in the benchmark, scripts/bench, not in a test)
		Kallsyms kallsyms = Kallsyms.load();

		// WHEN
		var suggestions = NearestNames.suggest("ip_ouput", kallsyms.functionNames(), 3);

		// THEN
		assertThat(suggestions).hasSizeLessThanOrEqualTo(3).startsWith("ip_output");
	}

	@Test
	void should_fall_back_to_kallsyms_when_ftrace_is_not_readable_and_say_so() {
		// GIVEN
		TraceableFunctions functions = TraceableFunctions.load();

		// WHEN
		boolean canProbeIpOutput = functions.contains("ip_output");

		// THEN
		assertThat(canProbeIpOutput).isTrue();
		assertThat(functions.contains("ip_ouput")).isFalse();
		assertThat(functions.suggest("nf_hook_slw", 3)).startsWith("nf_hook_slow");
		assertThat(functions.sourceDescription()).contains(
				functions.source() == TraceableFunctions.Source.KALLSYMS ? "/proc/kallsyms" : "available_filter_functions");
	}
}
