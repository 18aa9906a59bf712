package io.tracepackets.internal.link;

/**
 * An attached program. A link lives as long as its file descriptor: it is never pinned, so a
 * killed JVM (whose fds the kernel closes) leaves no probe behind. {@link #close()} detaches
 * once; later calls do nothing.
 */
public abstract sealed class Link implements AutoCloseable permits BpfLink, FdLink {

	private final String name;
	private boolean closed;

	protected Link(String name) {
		this.name = name;
	}

	public String name() {
		return name;
	}

	/** The link's file descriptor, for asking the kernel about it (link info). */
	public abstract int fd();

	/** Detaches: destroys the link or closes its fd. */
	protected abstract void release();

	@Override
	public final synchronized void close() {
		if (!closed) {
			closed = true;
			release();
		}
	}
}
