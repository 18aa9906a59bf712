package io.tracepackets.internal.libbpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.KernelTest;
import io.tracepackets.internal.bpf.BpfObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A loaded program is named by its function in full, from its BTF: the kernel keeps 15 characters
 * of it, and a user asserting {@code byProgram("...")} writes the whole name (so does fexit, which
 * attaches to the program's function by that name).
 */
@KernelTest
class ProgramNameTest {

	@Test
	void a_program_whose_name_the_kernel_cuts_is_named_in_full() {
		// GIVEN programs with names over 15 characters, loaded
		try (BpfObject object = BpfObject.openResource("io/tracepackets/bpf/bench/floor.bpf.o", "floor")) {
			object.load();

			// WHEN the programs the kernel knows by the cut names are named
			List<String> names = LibBpf.loadedPrograms().entrySet().stream()
					.filter(program -> Set.of("accounting_floo", "dispatch_net_de").contains(program.getValue()))
					.map(program -> LibBpf.programName(program.getKey()).orElseThrow()).toList();

			// THEN by their functions
			assertThat(names).contains("accounting_floor", "dispatch_net_dev_queue", "dispatch_net_dev_start_xmit");
		}
	}
}
