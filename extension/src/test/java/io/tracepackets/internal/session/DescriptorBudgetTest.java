package io.tracepackets.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.Backend;
import io.tracepackets.internal.ffi.Libc;
import org.junit.jupiter.api.Test;

class DescriptorBudgetTest {

	@Test
	void should_say_how_many_are_needed_what_the_limit_is_and_how_to_raise_it() {
		// WHEN
		String message = DescriptorBudget.message(Backend.KPROBE, 1573, 3402, 900, new Libc.OpenFileLimit(4096, 4096));

		// THEN
		assertThat(message).isEqualTo("the kprobe backend needs about 3402 file descriptors for 1573 functions, 900 are"
				+ " open already, and this process may open 4096 (hard limit 4096): raise the limit to at least 4302"
				+ " where the JVM starts (`ulimit -n 4302` in its shell, LimitNOFILE=4302 for a systemd service,"
				+ " `docker run --ulimit nofile=4302:4302`), or probe fewer functions (@TracePackets(functions ="
				+ " \"ip_.*|nf_.*\")) or choose kprobe-multi, which needs one per argument position");
	}
}
