package io.tracepackets.internal.netfilter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class ShellWordsTest {

	@Test
	void should_split_at_blanks_outside_quotes() {
		assertThat(ShellWords.split("  -p udp\t--dport 9  -m comment --comment \"web tier\" --x 'a b' c\\ d"))
				.containsExactly("-p", "udp", "--dport", "9", "-m", "comment", "--comment", "web tier", "--x", "a b",
						"c d");
		assertThat(ShellWords.split("--comment \"say \\\"hi\\\"\" ''")).containsExactly("--comment", "say \"hi\"", "");
	}

	@Test
	void should_name_a_quote_left_open() {
		assertThatIllegalArgumentException().isThrownBy(() -> ShellWords.split("--comment \"web tier"))
				.withMessage("a shell would not read it either: its \" quote is never closed");
	}
}
