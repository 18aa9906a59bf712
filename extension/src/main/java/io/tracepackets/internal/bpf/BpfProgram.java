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

	public int fd() {
		return LibBpf.programFd(program, name);
	}

	/** Runs a SEC("syscall") program once with {@code context} and returns its return value. */
	public int run(MemorySegment context) {
		return LibBpf.testRun(fd(), context, "program " + name);
	}
}
