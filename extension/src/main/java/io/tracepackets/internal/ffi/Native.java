package io.tracepackets.internal.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Shared plumbing for FFM downcalls: symbol lookup, errno capture. Each binding class (libc,
 * libbpf) declares its method handles with {@link #downcall} and reads errno through
 * {@link #errno(MemorySegment)}.
 */
public final class Native {

	public static final Linker LINKER = Linker.nativeLinker();

	private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
	private static final VarHandle ERRNO = CAPTURE_LAYOUT
			.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
	private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

	private Native() {
	}

	/** A downcall handle; with {@code captureErrno} its first argument is a capture segment. */
	public static MethodHandle downcall(SymbolLookup lookup, String name, FunctionDescriptor descriptor,
			boolean captureErrno) {
		MemorySegment symbol = lookup.find(name)
				.orElseThrow(() -> new UnsatisfiedLinkError("native symbol not found: " + name));
		return captureErrno ? LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO)
				: LINKER.downcallHandle(symbol, descriptor);
	}

	/** A segment to pass as the capture argument of an errno-capturing downcall. */
	public static MemorySegment errnoSlot(Arena arena) {
		return arena.allocate(CAPTURE_LAYOUT);
	}

	public static int errno(MemorySegment slot) {
		return (int) ERRNO.get(slot, 0L);
	}

	/** Wraps a Throwable escaping {@code invokeExact}; downcalls themselves throw nothing checked. */
	public static RuntimeException rethrow(Throwable t) {
		if (t instanceof RuntimeException e) {
			return e;
		}
		if (t instanceof Error e) {
			throw e;
		}
		return new IllegalStateException(t);
	}
}
