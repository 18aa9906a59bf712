package io.tracepackets.internal.bpf;

import io.tracepackets.internal.libbpf.LibBpf;
import io.tracepackets.internal.link.BpfLink;
import java.lang.foreign.MemorySegment;

/** One program of a {@link BpfObject}, named by its C function. */
public final class BpfProgram {

	private final MemorySegment program;
	private final String name;

	BpfProgram(MemorySegment program, String name) {
		this.program = program;
		this.name = name;
	}

	public String name() {
		return name;
	}

	/** Before load: whether this program is loaded with its object. */
	public void setAutoload(boolean autoload) {
		LibBpf.setAutoload(program, autoload, name);
	}

	/** Attaches as the program's SEC() says; the link is owned by its fd, never pinned. */
	public BpfLink attach() {
		return new BpfLink(LibBpf.attach(program, "program " + name), name);
	}

	/** Attaches to the cgroup open as {@code cgroupFd}, for it and every cgroup below it. */
	public BpfLink attachCgroup(int cgroupFd, String cgroup) {
		return new BpfLink(LibBpf.attachCgroup(program, cgroupFd, name), name + "@" + cgroup);
	}

	/** A kprobe at {@code function}'s entry: one link per function. */
	public BpfLink attachKprobe(String function) {
		return new BpfLink(LibBpf.attachKprobe(program, function, name), name + "@" + function);
	}

	/** One kprobe-multi link for all of {@code functions}. */
	public BpfLink attachKprobeMulti(java.util.List<String> functions) {
		return new BpfLink(LibBpf.attachKprobeMulti(program, functions, name),
				name + "@" + functions.size() + " functions");
	}

	/** Before load, for fentry programs: the function the (template) program is verified against. */
	public void setAttachTarget(String function) {
		LibBpf.setAttachTarget(program, function, name);
	}

	/** Before load, for fentry/fexit on a BPF program: the program (open as {@code targetFd}) and its function. */
	public void setAttachTarget(int targetFd, String function) {
		LibBpf.setAttachTarget(program, targetFd, function, name);
	}

	/** After load: the final instructions, to load clones of this program. */
	public MemorySegment instructions() {
		return LibBpf.instructions(program);
	}

	public int fd() {
		return LibBpf.programFd(program, name);
	}

	/** Runs a program that BPF_PROG_TEST_RUN can run (raw_tp, syscall) once with {@code context}; returns its return value. */
	public int run(MemorySegment context) {
		return LibBpf.testRun(fd(), context, "program " + name);
	}
}
