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
	 * Descriptors the backend holds for {@code functions} functions over {@code positions} skb
	 * argument positions: kprobe a perf event and a link per function, fentry a link per function
	 * (the clone's program fd is closed once linked), kprobe-multi one link per position.
	 */
	static long needed(Backend backend, int functions, int positions) {
		return switch (backend) {
			case KPROBE -> 2L * functions;
			case FENTRY -> functions;
			case KPROBE_MULTI -> positions;
			default -> 0;
		};
	}

	/** Raises the soft limit, then fails with the numbers and the fix when the probes cannot fit. */
	static void check(Backend backend, int functions, int positions) {
		long needed = needed(backend, functions, positions) + HEADROOM;
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

	private static long openDescriptors() {
		try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
			return fds.count();
		} catch (IOException e) {
			return 0;
		}
	}
}
