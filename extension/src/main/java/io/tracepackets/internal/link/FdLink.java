package io.tracepackets.internal.link;

import io.tracepackets.internal.ffi.Libc;

/** A link known only by its file descriptor, such as a fentry clone loaded outside libbpf. */
public final class FdLink extends Link {

	private final int fd;

	public FdLink(int fd, String name) {
		super(name);
		this.fd = fd;
	}

	@Override
	public int fd() {
		return fd;
	}

	@Override
	protected void release() {
		Libc.close(fd);
	}
}
