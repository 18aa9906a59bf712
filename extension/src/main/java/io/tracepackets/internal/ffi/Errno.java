package io.tracepackets.internal.ffi;

import io.tracepackets.KernelErrno;
import java.util.Map;

/**
 * Names and texts of the errno values the tracer meets, as {@code strerror} words them; the numbers
 * a packet's path also returns are the public {@link KernelErrno}'s, defined once.
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

	private record Entry(String name, String text) {
	}

	private static final Map<Integer, Entry> KNOWN = Map.ofEntries(
			Map.entry(EPERM, new Entry("EPERM", "Operation not permitted")),
			Map.entry(ENOENT, new Entry("ENOENT", "No such file or directory")),
			Map.entry(ESRCH, new Entry("ESRCH", "No such process")),
			Map.entry(EINTR, new Entry("EINTR", "Interrupted system call")),
			Map.entry(E2BIG, new Entry("E2BIG", "Argument list too long")),
			Map.entry(EBADF, new Entry("EBADF", "Bad file descriptor")),
			Map.entry(EAGAIN, new Entry("EAGAIN", "Resource temporarily unavailable")),
			Map.entry(ENOMEM, new Entry("ENOMEM", "Cannot allocate memory")),
			Map.entry(EACCES, new Entry("EACCES", "Permission denied")),
			Map.entry(EFAULT, new Entry("EFAULT", "Bad address")),
			Map.entry(EBUSY, new Entry("EBUSY", "Device or resource busy")),
			Map.entry(EEXIST, new Entry("EEXIST", "File exists")),
			Map.entry(EINVAL, new Entry("EINVAL", "Invalid argument")),
			Map.entry(ENOSPC, new Entry("ENOSPC", "No space left on device")),
			Map.entry(ENOSYS, new Entry("ENOSYS", "Function not implemented")),
			Map.entry(EOPNOTSUPP, new Entry("EOPNOTSUPP", "Operation not supported")),
			Map.entry(EADDRNOTAVAIL, new Entry("EADDRNOTAVAIL", "Cannot assign requested address")),
			// Kernel-internal, leaks out of BPF syscalls; strerror has no text for it.
			Map.entry(ENOTSUPP, new Entry("ENOTSUPP", "Operation not supported by the kernel")));

	private Errno() {
	}

	/** {@code "ENOENT (No such file or directory)"}; unknown values as {@code "errno 123"}. */
	public static String describe(int errno) {
		Entry entry = KNOWN.get(errno);
		return entry == null ? "errno " + errno : entry.name() + " (" + entry.text() + ")";
	}
}
