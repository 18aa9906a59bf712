package io.tracepackets.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.Backend;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendSelectionTest {

	@Test
	void should_name_the_refused_backends_without_their_reasons_in_the_summary() {
		// GIVEN this host's selection: every function backend refused
		Map<Backend, String> refused = new LinkedHashMap<>();
		refused.put(Backend.KPROBE_MULTI, "attach ...: EOPNOTSUPP (Operation not supported) (the kernel is built without CONFIG_FPROBE)");
		refused.put(Backend.FENTRY, "load BPF object tp_probe: EPERM (Operation not permitted)");
		BackendSelection selection = BackendSelection.tracepoints(refused, null,
				"no function backend is available on this kernel, so only tracepoints are traced");

		// WHEN
		String summary = selection.summary();

		// THEN the log keeps the reasons, every failure message the short form
		assertThat(selection.describe()).contains("EOPNOTSUPP").contains("EPERM");
		assertThat(summary).isEqualTo("tracepoint: no function backend is available on this kernel, so only tracepoints"
				+ " are traced; kprobe-multi, fentry refused (why: the tracer's log at start, \"backend ... refused\")");
	}
}
