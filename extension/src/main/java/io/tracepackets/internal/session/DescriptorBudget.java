package io.tracepackets.internal.session;

import io.tracepackets.Backend;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.ffi.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Every probe is a file descriptor or two, so before attaching, the session raises the soft
 * RLIMIT_NOFILE to the hard limit (as pwru does) and checks that what the backend needs fits:
 * one clear message up front instead of EMFILE halfway through 1,500 attaches.
 */
final class DescriptorBudget {

	/** Maps, programs, the ring buffer, BTF objects, and what the JVM and the test hold open. */
	static final int HEADROOM = 256;

	private DescriptorBudget() {
	}

	/**
	 * Raises the soft limit, then fails with the numbers and the fix when the probes cannot fit.
	 *
	 * @param descriptors what the backend holds for {@code functions} functions (its own count: see
	 *     {@code FunctionBackend.descriptors}); 0 for tracepoints only
	 */
	static void check(Backend backend, long descriptors, int functions) {
		long needed = descriptors + HEADROOM;
		Libc.OpenFileLimit limit = Libc.raiseOpenFileLimit();
		long open = openDescriptors();
		if (open + needed > limit.soft()) {
			throw new TracingUnavailableException("file descriptors", message(backend, functions, needed, open, limit));
		}
	}

	static String message(Backend backend, int functions, long needed, long open, Libc.OpenFileLimit limit) {
		long wanted = open + needed;
		return "the " + backend.label() + " backend needs about " + needed + " file descriptors for " + functions
				+ " functions, " + open + " are open already, and this process may open " + limit.soft()
				+ " (hard limit " + limit.hard() + "): raise the limit to at least " + wanted + " where the JVM"
				+ " starts (`ulimit -n " + wanted + "` in its shell, LimitNOFILE=" + wanted + " for a systemd"
				+ " service, `docker run --ulimit nofile=" + wanted + ":" + wanted + "`), or probe fewer functions"
				+ " (@TracePackets(functions = \"ip_.*|nf_.*\")) or choose kprobe-multi, which needs one per"
				+ " argument position";
	}

	/** The descriptors this process has open now. */
	static long openDescriptors() {
		try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
			return fds.count();
		} catch (IOException e) {
			return 0;
		}
	}
}
