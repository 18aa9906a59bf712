package io.tracepackets.internal.symbols;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracepackets.TracingUnavailableException;

import java.io.StringReader;
import java.util.List;

import org.junit.jupiter.api.Test;

class KallsymsTest {

	/** A kallsyms excerpt: vmlinux text and data, aliases, a duplicate static, a module, BPF, ftrace. */
	private static final List<String> FIXTURE = List.of(
			"ffffffff81000000 T _stext",
			"ffffffff81000000 T _text",
			"ffffffff81001000 T __pfx_nf_hook_slow",
			"ffffffff81001010 T nf_hook_slow",
			"ffffffff81001100 t cleanup",
			"ffffffff81001180 D some_data",
			"ffffffff81001200 T ip_output",
			"ffffffff81001300 W weak_helper",
			"ffffffff81001400 t cleanup",
			"ffffffff81002000 T _etext",
			"ffffffff81003000 R some_rodata",
			"ffffffffc0001000 t nft_do_chain\t[nf_tables]",
			"ffffffffc0001400 t nft_lookup_eval\t[nf_tables]",
			"ffffffffc0000800 t br_handle_frame\t[bridge]",
			"ffffffffc0201000 t ftrace_trampoline\t[__builtin__ftrace]",
			"ffffffffc0300000 t bpf_prog_6deef7357e7b4530_trace_skb\t[bpf]");

	private final Kallsyms kallsyms = Kallsyms.parse(FIXTURE);

	@Test
	void should_symbolize_function_starts_and_offsets_within() {
		// GIVEN
		long nfHookSlow = 0xffffffff81001010L;

		// WHEN
		var atStart = kallsyms.symbolize(nfHookSlow);
		var inside = kallsyms.symbolize(nfHookSlow + 0x7d);
		var lastByte = kallsyms.symbolize(0xffffffff810010ffL);

		// THEN
		assertThat(atStart).hasValue(new Symbol("nf_hook_slow", nfHookSlow, 0, null));
		assertThat(atStart.orElseThrow()).hasToString("nf_hook_slow+0x0");
		assertThat(inside.orElseThrow()).hasToString("nf_hook_slow+0x7d");
		assertThat(lastByte.orElseThrow()).hasToString("nf_hook_slow+0xef");
		assertThat(kallsyms.symbolize(0xffffffff81001100L).orElseThrow()).hasToString("cleanup+0x0");
	}

	@Test
	void should_pick_the_first_listed_alias_and_skip_data_symbols() {
		// GIVEN an address in _stext/_text, and one past a data symbol (data is not kept)

		// WHEN
		var alias = kallsyms.symbolize(0xffffffff81000004L);
		var afterData = kallsyms.symbolize(0xffffffff81001190L);

		// THEN
		assertThat(alias.orElseThrow().name()).isEqualTo("_stext");
		assertThat(afterData.orElseThrow()).hasToString("cleanup+0x90");
	}

	@Test
	void should_name_the_module_of_module_functions_even_when_listed_unsorted() {
		// GIVEN
		long inNftables = 0xffffffffc0001010L;

		// WHEN
		var symbol = kallsyms.symbolize(inNftables);
		var bridge = kallsyms.symbolize(0xffffffffc0000900L);

		// THEN
		assertThat(symbol).hasValue(new Symbol("nft_do_chain", 0xffffffffc0001000L, 0x10, "nf_tables"));
		assertThat(symbol.orElseThrow()).hasToString("nft_do_chain+0x10 [nf_tables]");
		assertThat(bridge.orElseThrow()).hasToString("br_handle_frame+0x100 [bridge]");
		assertThat(kallsyms.isKernelText(inNftables)).isTrue();
	}

	@Test
	void should_not_count_bpf_programs_trampolines_or_unknown_addresses_as_kernel_text() {
		// GIVEN
		long bpfProg = 0xffffffffc0300040L;
		long trampoline = 0xffffffffc0201010L;

		// WHEN / THEN
		assertThat(kallsyms.isKernelText(bpfProg)).isFalse();
		assertThat(kallsyms.symbolize(bpfProg).orElseThrow()).hasToString("bpf_prog_6deef7357e7b4530_trace_skb+0x40 [bpf]");
		assertThat(kallsyms.isKernelText(trampoline)).isFalse();
		assertThat(kallsyms.isKernelText(0x1000L)).as("below every symbol").isFalse();
		assertThat(kallsyms.symbolize(0x1000L)).isEmpty();
		assertThat(kallsyms.isKernelText(0xffffffff81002010L)).as("past _etext").isFalse();
		assertThat(kallsyms.isKernelText(0xffffffffc0001400L + Kallsyms.TAIL_LIMIT)).as("far past a module's last symbol").isFalse();
		assertThat(kallsyms.isKernelText(0xffffffffc0001400L + 0x100)).as("in a module's last function").isTrue();
		assertThat(kallsyms.isKernelText(0xffffffff81001210L)).isTrue();
	}

	@Test
	void should_count_ambiguous_names_and_give_their_lowest_address() {
		// GIVEN two static functions named cleanup

		// WHEN
		int cleanups = kallsyms.count("cleanup");
		int outputs = kallsyms.count("ip_output");
		int missing = kallsyms.count("ip_ouput");

		// THEN
		assertThat(cleanups).isEqualTo(2);
		assertThat(outputs).isEqualTo(1);
		assertThat(missing).isZero();
		assertThat(kallsyms.address("cleanup")).hasValue(0xffffffff81001100L);
		assertThat(kallsyms.address("weak_helper")).hasValue(0xffffffff81001300L);
		assertThat(kallsyms.address("some_data")).isEmpty();
	}

	@Test
	void should_list_function_names_without_bpf_programs_trampolines_padding_or_markers() {
		// GIVEN the fixture

		// WHEN
		var names = kallsyms.functionNames();

		// THEN
		assertThat(names).containsExactlyInAnyOrder("_stext", "_text", "nf_hook_slow", "cleanup", "ip_output",
				"weak_helper", "nft_do_chain", "nft_lookup_eval", "br_handle_frame");
	}

	@Test
	void should_read_the_same_from_a_reader() {
		// GIVEN
		String text = String.join("\n", FIXTURE) + "\n";

		// WHEN
		Kallsyms fromReader = Kallsyms.parse(new StringReader(text));

		// THEN
		assertThat(fromReader.size()).isEqualTo(kallsyms.size());
		assertThat(fromReader.symbolize(0xffffffffc0001010L)).isEqualTo(kallsyms.symbolize(0xffffffffc0001010L));
	}

	@Test
	void should_fail_clearly_when_kptr_restrict_hides_addresses() {
		// GIVEN what an unprivileged process sees with kernel.kptr_restrict=1
		List<String> hidden = List.of(
				"0000000000000000 T _stext",
				"0000000000000000 T nf_hook_slow",
				"0000000000000000 t nft_do_chain\t[nf_tables]");

		// WHEN / THEN
		assertThatThrownBy(() -> Kallsyms.parse(hidden))
				.isInstanceOf(TracingUnavailableException.class)
				.hasMessageContaining("/proc/sys/kernel/kptr_restrict")
				.hasMessageContaining("root");
	}

	@Test
	void should_reject_text_that_is_not_kallsyms() {
		// GIVEN
		List<String> notKallsyms = List.of("hello world");

		// WHEN / THEN
		assertThatThrownBy(() -> Kallsyms.parse(notKallsyms)).isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("not a kallsyms line");
	}

	@Test
	void the_check_at_start_fails_as_the_full_read_would_when_addresses_are_hidden(@org.junit.jupiter.api.io.TempDir
			java.nio.file.Path directory) throws java.io.IOException {
		// GIVEN a kallsyms whose first page shows every address as 0 (kptr_restrict), and one that shows them
		StringBuilder hidden = new StringBuilder();
		StringBuilder shown = new StringBuilder();
		for (int i = 0; i < 500; i++) {
			hidden.append("0000000000000000 T function_").append(i).append('\n');
			shown.append(String.format("ffffffff81%06x T function_%d%n", i * 16, i));
		}
		java.nio.file.Path hiddenFile = java.nio.file.Files.writeString(directory.resolve("hidden"), hidden);
		java.nio.file.Path shownFile = java.nio.file.Files.writeString(directory.resolve("shown"), shown);

		// WHEN / THEN
		assertThatThrownBy(() -> Kallsyms.requireReadable(hiddenFile)).isInstanceOf(TracingUnavailableException.class)
				.hasMessageContaining("/proc/sys/kernel/kptr_restrict");
		assertThatThrownBy(() -> Kallsyms.requireReadable(directory.resolve("missing")))
				.isInstanceOf(TracingUnavailableException.class).hasMessageContaining("cannot read");
		Kallsyms.requireReadable(shownFile);
	}
}
