package io.tracepackets.internal.backend;

import io.tracepackets.Backend;
import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.internal.btf.SkbFunction;
import io.tracepackets.internal.symbols.Kallsyms;
import java.util.List;
import java.util.Map;

/** One way of putting a BPF program on kernel functions: kprobe, kprobe-multi or fentry. */
public interface FunctionAttacher {

	Backend backend();

	/** The program of this backend for an skb at argument {@code position} (1..5). */
	default String programName(int position) {
		return switch (backend()) {
			case KPROBE -> "kprobe_skb_" + position;
			case KPROBE_MULTI -> "kprobe_multi_skb_" + position;
			case FENTRY -> "fentry_skb_" + position;
			default -> throw new IllegalStateException(backend() + " has no function programs");
		};
	}

	/** Before the object is loaded: what the programs need (fentry: a target to verify against). */
	default void beforeLoad(BpfObject object, Map<Integer, List<SkbFunction>> byPosition) {
	}

	/** After load: attaches the programs to every function. Failures are collected, not thrown. */
	AttachResult attach(BpfObject object, Map<Integer, List<SkbFunction>> byPosition);

	/** {@code kallsyms}: the functions' addresses, which fentry clones carry before 5.15. */
	static FunctionAttacher of(Backend backend, Kallsyms kallsyms) {
		return switch (backend) {
			case KPROBE -> new KprobeAttacher();
			case KPROBE_MULTI -> new KprobeMultiAttacher();
			case FENTRY -> new FentryAttacher(kallsyms);
			default -> throw new IllegalArgumentException(backend + " does not attach to functions");
		};
	}
}
