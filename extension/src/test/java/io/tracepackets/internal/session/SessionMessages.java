package io.tracepackets.internal.session;

import io.tracepackets.Backend;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.ffi.Libc;

/** Test fixture: the messages of starting a tracer, for tests outside this package that compare them with the docs. */
public final class SessionMessages {

	private SessionMessages() {
	}

	/**
	 * Why a tracer of {@code backend} on {@code functions} functions does not start when this
	 * process may open {@code soft} descriptors and has {@code open} open.
	 */
	public static TracingUnavailableException tooFewDescriptors(Backend backend, int functions, long needed, long open,
			long soft, long hard) {
		return new TracingUnavailableException("file descriptors", DescriptorBudget.message(backend, functions, needed,
				open, new Libc.OpenFileLimit(soft, hard)));
	}

	/** Why tracing is unavailable on the OS named {@code os}. */
	public static String notLinux(String os) {
		return refusal(() -> KernelCapabilities.requireLinux(os));
	}

	/** Why tracing is unavailable on a kernel without /sys/kernel/btf/vmlinux. */
	public static String noBtf() {
		return refusal(() -> KernelCapabilities.requireBtf(false));
	}

	/** Why tracing is unavailable to a process with the effective capabilities {@code effective} (a bit each). */
	public static String lacking(long effective) {
		return refusal(() -> KernelCapabilities.requirePrivileges(effective));
	}

	private static String refusal(Runnable check) {
		try {
			check.run();
		} catch (TracingUnavailableException e) {
			return e.getMessage();
		}
		throw new AssertionError("the check passed");
	}
}
