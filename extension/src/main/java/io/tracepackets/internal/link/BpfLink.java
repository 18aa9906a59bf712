package io.tracepackets.internal.link;

import io.tracepackets.internal.libbpf.LibBpf;
import java.lang.foreign.MemorySegment;

/**
 * An attached program. The link lives as long as its file descriptor: it is never pinned, so a
 * killed JVM (whose fds the kernel closes) leaves no probe behind. {@link #close()} is idempotent.
 */
public final class BpfLink implements AutoCloseable {

	private final MemorySegment link;
	private final String name;
	private boolean closed;

	public BpfLink(MemorySegment link, String name) {
		this.link = link;
		this.name = name;
	}

	public String name() {
		return name;
	}

	@Override
	public synchronized void close() {
		if (closed) {
			return;
		}
		closed = true;
		LibBpf.destroyLink(link, name);
	}
}
