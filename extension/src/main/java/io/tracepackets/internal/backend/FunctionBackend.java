package io.tracepackets.internal.backend;

import io.tracepackets.Backend;
import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.internal.btf.SkbFunction;
import java.util.List;
import java.util.Map;

/**
 * One way of putting the tracer's program on kernel functions, and every fact that differs by it:
 * its programs in bpf/tracepackets.bpf.c, the file descriptors it holds, the programs that follow
 * copies, what the kernel's refusals usually mean for it, and how it attaches. Nothing outside
 * this package asks which backend it is dealing with; it asks the backend.
 *
 * <p>Tracepoints are not one of these: every backend attaches them, and the {@code tracepoint}
 * backend is the absence of a function backend ({@link BackendSelection#functionBackend()}).
 *
 * <p>A new backend is a class here, its {@link Backend} constant, its line in
 * {@link BackendChoice}'s order of preference, and its programs in bpf/tracepackets.bpf.c. Not
 * sealed: nothing may switch over the backends (BackendOwnershipTest), so a permits list would be
 * one more place to edit and protect nothing.
 */
public interface FunctionBackend {

	/** The constant users request this backend by. */
	Backend backend();

	/** The program of this backend for an skb at argument {@code position} (1..5). */
	String programName(int position);

	/**
	 * File descriptors this backend holds while {@code functions} functions over {@code positions}
	 * skb argument positions are attached: what {@code DescriptorBudget} checks before attaching.
	 */
	long descriptors(int functions, int positions);

	/**
	 * The programs that give a new skb made by {@code copyFunction} (skb_clone, ...) its parent's
	 * journey: COPY_PROBES in bpf/tracepackets.bpf.c.
	 */
	List<String> copyPrograms(String copyFunction);

	/**
	 * The entry and return programs that record what {@code function} returns for an skb in scope
	 * (RETURN_PROBES in bpf/tracepackets.bpf.c; the functions: {@code ReturnValue.RECORDED}).
	 */
	List<String> returnPrograms(String function);

	/**
	 * What the kernel's refusal usually means for this backend, appended to its errno; empty when
	 * there is nothing to add.
	 *
	 * @param error the first line of the refusal, e.g. {@code "attach kprobe-multi ...: EOPNOTSUPP (...)"}
	 */
	String refusalHint(String error);

	/** Before the object is loaded: what the programs need (fentry: a target to verify against). */
	default void beforeLoad(BpfObject object, Map<Integer, List<SkbFunction>> byPosition) {
	}

	/** After load: attaches the programs to every function. Failures are collected, not thrown. */
	AttachResult attach(BpfObject object, Map<Integer, List<SkbFunction>> byPosition);
}
