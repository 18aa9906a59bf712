package io.tracepackets.internal.ffi;

import io.tracepackets.TracePacketsException;

/**
 * A native call failed: carries what was attempted and the errno, rendered as
 * {@code "attach tp_btf/kfree_skb: ENOENT (No such file or directory)"}.
 */
public final class NativeException extends TracePacketsException {

	private final String operation;
	private final int errno;

	public NativeException(String operation, int errno) {
		this(operation, errno, null);
	}

	/** @param detail extra text such as libbpf's log for this call; may be null */
	public NativeException(String operation, int errno, String detail) {
		super(operation + ": " + Errno.describe(errno) + (detail == null || detail.isBlank() ? "" : "\n" + detail));
		this.operation = operation;
		this.errno = errno;
	}

	public String operation() {
		return operation;
	}

	/** The positive errno value. */
	public int errno() {
		return errno;
	}

	/**
	 * Converts a libbpf-style return value: negative means {@code -errno}.
	 *
	 * @return {@code ret} when it is not negative
	 */
	public static int check(String operation, int ret) {
		if (ret < 0) {
			throw new NativeException(operation, -ret);
		}
		return ret;
	}
}
