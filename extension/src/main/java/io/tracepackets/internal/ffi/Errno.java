package io.tracepackets.internal.ffi;

import io.tracepackets.KernelErrno;
import java.util.Map;

/**
 * The errno values the tracer meets, described with their names (the public {@link KernelErrno}'s,
 * defined once, as the numbers a packet's path returns) and {@code strerror}'s words.
 */
public final class Errno {

	public static final int EPERM = KernelErrno.EPERM;
	public static final int ENOENT = KernelErrno.ENOENT;
	public static final int ESRCH = 3;
	public static final int EINTR = 4;
	public static final int EBADF = 9;
	public static final int EAGAIN = KernelErrno.EAGAIN;
	public static final int ENOMEM = KernelErrno.ENOMEM;
	public static final int EACCES = KernelErrno.EACCES;
	public static final int EFAULT = KernelErrno.EFAULT;
	public static final int EBUSY = KernelErrno.EBUSY;
	public static final int EEXIST = KernelErrno.EEXIST;
	public static final int EINVAL = KernelErrno.EINVAL;
	public static final int E2BIG = 7;
	public static final int ENOSPC = KernelErrno.ENOSPC;
	public static final int ENOSYS = 38;
	public static final int EOPNOTSUPP = KernelErrno.EOPNOTSUPP;
	public static final int EADDRNOTAVAIL = KernelErrno.EADDRNOTAVAIL;
	public static final int ENOBUFS = KernelErrno.ENOBUFS;
	public static final int ENOTSUPP = 524;

	/** strerror's words, for the numbers the tracer meets; the names are KernelErrno's. */
	private static final Map<Integer, String> TEXTS = Map.ofEntries(
			Map.entry(EPERM, "Operation not permitted"),
			Map.entry(ENOENT, "No such file or directory"),
			Map.entry(ESRCH, "No such process"),
			Map.entry(EINTR, "Interrupted system call"),
			Map.entry(E2BIG, "Argument list too long"),
			Map.entry(EBADF, "Bad file descriptor"),
			Map.entry(EAGAIN, "Resource temporarily unavailable"),
			Map.entry(ENOMEM, "Cannot allocate memory"),
			Map.entry(EACCES, "Permission denied"),
			Map.entry(EFAULT, "Bad address"),
			Map.entry(EBUSY, "Device or resource busy"),
			Map.entry(EEXIST, "File exists"),
			Map.entry(EINVAL, "Invalid argument"),
			Map.entry(ENOSPC, "No space left on device"),
			Map.entry(ENOSYS, "Function not implemented"),
			Map.entry(EOPNOTSUPP, "Operation not supported"),
			Map.entry(EADDRNOTAVAIL, "Cannot assign requested address"),
			// Kernel-internal, leaks out of BPF syscalls; strerror has no text for it.
			Map.entry(ENOTSUPP, "Operation not supported by the kernel"));

	private Errno() {
	}

	/**
	 * {@code "ENOENT (No such file or directory)"}; {@code "ENOBUFS"} where strerror's words are not
	 * kept here; {@code "errno 4096"} for a number without a name.
	 */
	public static String describe(int errno) {
		String text = TEXTS.get(errno);
		return KernelErrno.name(errno).map(name -> text == null ? name : name + " (" + text + ")")
				.orElse("errno " + errno);
	}
}
