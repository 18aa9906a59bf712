package io.tracepackets.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.KernelTest;
import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.internal.link.BpfLink;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kernel skips a run of a program that is already running on that CPU and counts it: a real
 * miss, provoked by a program that re-enters itself (bpf/samples/reenter_printk.bpf.c), read
 * through its link as the session reads its probes'.
 */
@KernelTest
class SkippedRunsKernelTest {

	@Test
	void should_count_the_runs_the_kernel_skipped_of_a_program_that_re_entered_itself() {
		try (BpfObject object = BpfObject.openResource("io/tracepackets/bpf/samples/reenter_printk.bpf.o", "reenter");
				Arena arena = Arena.ofConfined()) {
			// GIVEN the re-entering program attached, and its counter before
			object.load();
			try (BpfLink link = object.program("reenter").attach()) {
				SkippedRuns skipped = SkippedRuns.of(List.of(link));
				SkippedRuns.Counts before = skipped.read();

				// WHEN its first run is started 3 times
				for (int i = 0; i < 3; i++) {
					object.program("start").run(arena.allocate(8));
				}

				// THEN each start's nested run was skipped and counted
				assertThat(skipped.toString()).isEqualTo("SkippedRuns[1 programs, 0 kprobe links]");
				SkippedRuns.Counts growth = skipped.read().since(before);
				assertThat(growth.total()).isGreaterThanOrEqualTo(3);
				// at the probe point its link serves: the program, named for itself
				assertThat(growth.at("reenter")).isEqualTo(growth.total());
				assertThat(growth.at("udp_rcv")).isZero();
			}
		}
	}

	@Test
	void should_count_nothing_for_a_program_that_never_re_entered() {
		try (BpfObject object = BpfObject.openResource("io/tracepackets/bpf/samples/reenter_printk.bpf.o", "reenter")) {
			// GIVEN attached, never started
			object.load();
			try (BpfLink link = object.program("reenter").attach()) {
				// WHEN
				long total = SkippedRuns.of(List.of(link)).total();

				// THEN
				assertThat(total).isZero();
			}
		}
	}
}
