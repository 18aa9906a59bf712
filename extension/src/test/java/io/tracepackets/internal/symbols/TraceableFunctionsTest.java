package io.tracepackets.internal.symbols;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceableFunctionsTest {

	private static final Kallsyms KALLSYMS = Kallsyms.parse(List.of(
			"ffffffff81001010 T nf_hook_slow",
			"ffffffff81001200 T ip_output"));

	@Test
	void should_read_names_and_module_annotations_of_available_filter_functions() {
		// GIVEN
		String text = """
				ip_output
				nf_hook_slow
				nft_do_chain [nf_tables]
				__ftrace_invalid_address___84
				ip_output
				""";

		// WHEN
		TraceableFunctions functions = TraceableFunctions.fromAvailableFilterFunctions(new StringReader(text), "test");

		// THEN
		assertThat(functions.names()).containsExactly("ip_output", "nf_hook_slow", "nft_do_chain");
		assertThat(functions.source()).isEqualTo(TraceableFunctions.Source.AVAILABLE_FILTER_FUNCTIONS);
	}

	@Test
	void should_prefer_ftrace_list_when_readable(@TempDir Path dir) throws IOException {
		// GIVEN
		Path list = Files.writeString(dir.resolve("available_filter_functions"), "ip_rcv\nip_output [foo]\n");

		// WHEN
		TraceableFunctions functions = TraceableFunctions.load(List.of(dir.resolve("missing"), list), () -> KALLSYMS);

		// THEN
		assertThat(functions.source()).isEqualTo(TraceableFunctions.Source.AVAILABLE_FILTER_FUNCTIONS);
		assertThat(functions.sourceDescription()).isEqualTo(list.toString());
		assertThat(functions.contains("ip_rcv")).isTrue();
		assertThat(functions.contains("nf_hook_slow")).isFalse();
	}

	@Test
	void should_fall_back_to_kallsyms_and_say_why(@TempDir Path dir) throws IOException {
		// GIVEN an unreadable (missing) list and an empty one, as when ftrace is off
		Path empty = Files.writeString(dir.resolve("empty"), "");

		// WHEN
		TraceableFunctions functions = TraceableFunctions.load(List.of(dir.resolve("missing"), empty), () -> KALLSYMS);

		// THEN
		assertThat(functions.source()).isEqualTo(TraceableFunctions.Source.KALLSYMS);
		assertThat(functions.names()).containsExactlyInAnyOrder("nf_hook_slow", "ip_output");
		assertThat(functions.sourceDescription()).contains("/proc/kallsyms", "missing", "NoSuchFileException", "empty");
		assertThat(functions.suggest("ip_ouput", 3)).containsExactly("ip_output");
	}
}
