package io.tracepackets.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.internal.symbols.Kallsyms;
import java.util.List;
import org.junit.jupiter.api.Test;

class FunctionBackendTest {

	private final FunctionBackend kprobe = new KprobeBackend();
	private final FunctionBackend kprobeMulti = new KprobeMultiBackend();
	private final FunctionBackend fentry = new FentryBackend((Kallsyms) null);

	@Test
	void should_name_the_programs_of_its_section_in_the_bpf_object() {
		// bpf/tracepackets.bpf.c: FUNCTION_PROBES(n) and COPY_PROBES(function)
		assertThat(List.of(kprobe.programName(1), kprobeMulti.programName(2), fentry.programName(5)))
				.containsExactly("kprobe_skb_1", "kprobe_multi_skb_2", "fentry_skb_5");
		assertThat(kprobe.copyPrograms("skb_clone")).containsExactly("kprobe_copy_skb_clone", "kretprobe_copy_skb_clone");
		assertThat(kprobeMulti.copyPrograms("skb_copy")).containsExactly("kprobe_copy_skb_copy", "kretprobe_copy_skb_copy");
		assertThat(fentry.copyPrograms("skb_clone")).containsExactly("fexit_skb_clone");
	}

	@Test
	void should_count_what_each_backend_holds_per_function() {
		// GIVEN 1,500 functions over 5 skb argument positions
		// WHEN / THEN kprobe: perf event + link each; fentry: a link each; kprobe-multi: a link a position
		assertThat(kprobe.descriptors(1500, 5)).isEqualTo(3000);
		assertThat(fentry.descriptors(1500, 5)).isEqualTo(1500);
		assertThat(kprobeMulti.descriptors(1500, 5)).isEqualTo(5);
	}

	@Test
	void should_explain_what_a_refusal_usually_means_for_each_backend() {
		assertThat(BackendChoice.explain(kprobeMulti, "attach kprobe-multi ip_rcv: EOPNOTSUPP (Operation not supported)\nmore"))
				.isEqualTo("attach kprobe-multi ip_rcv: EOPNOTSUPP (Operation not supported) (the kernel is built without"
						+ " CONFIG_FPROBE, which kprobe-multi needs; 5.18+)");
		assertThat(BackendChoice.explain(kprobeMulti, "attach: EINVAL")).endsWith("(kprobe-multi links need kernel 5.18+)");
		assertThat(BackendChoice.explain(fentry, "load: EPERM")).endsWith(
				"(the kernel refuses BPF trampolines: lockdown, or a kernel that forbids fentry)");
		assertThat(BackendChoice.explain(fentry, "attach: ENOTSUPP")).endsWith(
				"(no BPF trampoline support on this architecture/kernel)");
		assertThat(BackendChoice.explain(kprobe, "attach: ENOENT")).endsWith(
				"(no kprobe support: the kernel is built without CONFIG_KPROBES)");
		assertThat(BackendChoice.explain(kprobe, "attach: EBUSY")).isEqualTo("attach: EBUSY");
	}
}
