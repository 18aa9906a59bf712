package io.tracepackets.internal.libbpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.tracepackets.internal.ffi.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes libbpf's printf-style log to SLF4J (logger {@code io.tracepackets.libbpf}) and keeps
 * what a failing call printed, so its exception can carry the verifier log or libbpf's reason.
 */
final class LibBpfLog {

	private static final Logger LOG = LoggerFactory.getLogger("io.tracepackets.libbpf");
	private static final int LIBBPF_WARN = 0;
	private static final int LIBBPF_INFO = 1;

	/** Lines printed on this thread since {@link #beginCapture()}; null when not capturing. */
	private static final ThreadLocal<StringBuilder> CAPTURE = new ThreadLocal<>();

	/** Set while probing what the kernel supports: refusals are expected, so they log at debug. */
	private static final InheritableThreadLocal<Boolean> QUIET = new InheritableThreadLocal<>();

	private static final MemorySegment CALLBACK;

	static {
		try {
			var target = MethodHandles.lookup().findStatic(LibBpfLog.class, "print",
					MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class));
			CALLBACK = io.tracepackets.internal.ffi.Native.LINKER.upcallStub(target,
					FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), Arena.global());
		} catch (ReflectiveOperationException e) {
			throw new ExceptionInInitializerError(e);
		}
	}

	private LibBpfLog() {
	}

	static MemorySegment callback() {
		return CALLBACK;
	}

	static <T> T quietly(java.util.function.Supplier<T> action) {
		Boolean before = QUIET.get();
		QUIET.set(Boolean.TRUE);
		try {
			return action.get();
		} finally {
			QUIET.set(before);
		}
	}

	static void beginCapture() {
		CAPTURE.set(new StringBuilder());
	}

	/** Ends capturing and returns what was printed, trimmed; empty when nothing. */
	static String endCapture() {
		StringBuilder captured = CAPTURE.get();
		CAPTURE.remove();
		return captured == null ? "" : captured.toString().strip();
	}

	// Called from native code: must never throw.
	private static int print(int level, MemorySegment format, MemorySegment vaList) {
		try {
			// a load prints thousands of debug lines (one per CO-RE relocation and more): formatting
			// them for a logger that drops them was a tenth of a cold start
			if (level > LIBBPF_INFO && !LOG.isDebugEnabled()) {
				return 0;
			}
			String line = Libc.vformat(format.reinterpret(Long.MAX_VALUE), vaList).stripTrailing();
			StringBuilder captured = CAPTURE.get();
			if (captured != null && level <= LIBBPF_INFO) {
				captured.append("libbpf: ").append(line).append('\n');
			}
			if (Boolean.TRUE.equals(QUIET.get())) {
				LOG.debug(line);
				return 0;
			}
			switch (level) {
				case LIBBPF_WARN -> LOG.warn(line);
				case LIBBPF_INFO -> LOG.info(line);
				default -> LOG.debug(line);
			}
		} catch (Throwable ignored) {
			// a logging failure must not unwind into libbpf
		}
		return 0;
	}
}
