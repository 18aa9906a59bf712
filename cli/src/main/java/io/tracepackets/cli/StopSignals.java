package io.tracepackets.cli;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes SIGINT (Ctrl-C) and SIGTERM stop the command line even when it was started with them
 * ignored. A shell without job control (a script's {@code cmd &}, {@code bash -c 'cmd &'}) starts
 * background jobs with SIGINT ignored, and an ignored signal stays ignored across exec; the JVM
 * then installs no handler for it, so Ctrl-C left a trace running, attached to the kernel, until
 * something sent SIGTERM or SIGKILL. A tracer is asked to stop by these two signals: like Go's
 * {@code signal.Notify}, which pwru uses, it takes them back. SIGHUP is left as found
 * ({@code nohup} ignores it on purpose).
 */
final class StopSignals {

	private static final int SIG_DFL = 0;

	private StopSignals() {
	}

	/**
	 * For each of SIGINT and SIGTERM that this process started with ignored: restores the default
	 * action, then registers the handler the JVM gives it when it is not ignored (exit with 128 +
	 * the signal's number, running the shutdown hooks). Leaves alone what it cannot change (a JVM
	 * run with {@code -Xrs}, no {@code /proc}).
	 *
	 * @param err where a failure to take a signal back is reported, as one line
	 */
	static void takeBackIgnored(java.io.PrintStream err) {
		long ignored;
		try {
			ignored = ignoredSignals(Files.readString(Path.of("/proc/self/status")));
		} catch (IOException e) {
			return;
		}
		for (String name : new String[] { "INT", "TERM" }) {
			sun.misc.Signal signal = new sun.misc.Signal(name);
			if ((ignored & 1L << (signal.getNumber() - 1)) == 0) {
				continue;
			}
			try {
				MethodHandle handler = Linker.nativeLinker().downcallHandle(
						Linker.nativeLinker().defaultLookup().find("signal").orElseThrow(),
						FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
				MemorySegment previous = (MemorySegment) handler.invokeExact(signal.getNumber(),
						MemorySegment.ofAddress(SIG_DFL));
				if (previous.address() == -1) {
					throw new IllegalStateException("signal(" + signal.getNumber() + ", SIG_DFL) failed");
				}
				sun.misc.Signal.handle(signal, s -> Runtime.getRuntime().exit(128 + s.getNumber()));
			} catch (Throwable e) {
				err.println("tracepackets: SIG" + name + " was ignored when this started and stays so (" + e.getMessage()
						+ "): stop it with " + (name.equals("INT") ? "SIGTERM" : "SIGINT"));
			}
		}
	}

	/**
	 * The mask of signals ignored, from {@code /proc/self/status}'s {@code SigIgn} line.
	 *
	 * @param status the file's text
	 * @return bit {@code n - 1} set when signal {@code n} is ignored; 0 when the line is missing
	 */
	static long ignoredSignals(String status) {
		return status.lines().filter(l -> l.startsWith("SigIgn:")).findFirst()
				.map(l -> Long.parseUnsignedLong(l.substring("SigIgn:".length()).strip(), 16)).orElse(0L);
	}
}
