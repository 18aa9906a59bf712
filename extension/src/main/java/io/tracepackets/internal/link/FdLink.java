package io.tracepackets.internal.link;

import io.tracepackets.internal.ffi.Libc;

/**
 * A link (or program) known only by its file descriptor, such as a fentry clone loaded outside
 * libbpf's object. Closing the fd detaches it; nothing is pinned. {@link #close()} is idempotent.
 */
public final class FdLink implements AutoCloseable {

	private final int fd;
	private final String name;
	private boolean closed;

	public FdLink(int fd, String name) {
		this.fd = fd;
		this.name = name;
	}

	public String name() {
		return name;
	}

	@Override
	public synchronized void close() {
		if (!closed) {
			closed = true;
			Libc.close(fd);
		}
	}
}
