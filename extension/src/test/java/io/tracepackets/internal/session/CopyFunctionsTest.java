package io.tracepackets.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.internal.window.PathAssembler;
import org.junit.jupiter.api.Test;

class CopyFunctionsTest {

	@Test
	void should_let_the_path_reader_know_every_function_whose_copies_join_their_parents_journey() {
		// The reader keeps another skb's journey id only on a path that starts at one of these:
		// a copy function it did not know would split every such copy from its parent.
		assertThat(PathAssembler.COPIED_BY).containsExactlyInAnyOrderElementsOf(ProbeObject.COPY_FUNCTIONS);
	}
}
