package io.tracepackets.cli;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The command line's own heap. A JVM started by {@code java -jar} sizes its heap from the machine's
 * memory (up to a quarter of it, a 64th committed at once), and under a flood it grows it to
 * gigabytes to spend less time collecting the garbage each event leaves, although what the trace
 * keeps alive is a few tens of megabytes (the {@code LiveTrace} store, one decoded batch, the
 * netfilter trace's bookkeeping). So before it traces, a command line started without a heap
 * option of the user's replaces itself ({@code execv}: same pid, same standard streams, same
 * ignored signals) by the same command with a bounded heap and the serial collector, whose young
 * collections of short-lived events cost little and which needs no per-region bookkeeping. A heap
 * size or a collector the user chose ({@code -Xmx}, {@code -XX:MaxRAMPercentage},
 * {@code -XX:+UseZGC}...) is kept as given, without the replacement.
 */
final class BoundedHeap {

	/** The heap the command line runs in, and its collector. */
	static final List<String> OPTIONS = List.of("-Xmx128m", "-XX:+UseSerialGC");

	private BoundedHeap() {
	}

	/**
	 * Replaces this process by a JVM with {@link #OPTIONS}, running the same command; returns only
	 * when it did not (the user sized the heap or chose a collector, on the command line or in
	 * JAVA_TOOL_OPTIONS or JDK_JAVA_OPTIONS; this JVM was not started with {@code -jar}; or execv
	 * failed), and then the trace runs here. The replacement sizes its heap on its command line,
	 * so it does not replace itself again.
	 */
	static void replaceUnlessChosen() {
		if (chosenByUser("MaxHeapSize") || chosenByUser("UseSerialGC") || chosenByUser("UseG1GC")
				|| chosenByUser("UseParallelGC") || chosenByUser("UseZGC") || chosenByUser("UseShenandoahGC")) {
			return;
		}
		ProcessHandle.Info self = ProcessHandle.current().info();
		Optional<List<String>> command = command(self.command(), self.arguments().map(Arrays::asList));
		if (command.isPresent()) {
			try {
				execv(command.get());
			} catch (Throwable e) {
				// the trace runs in this JVM, with the heap it was given
			}
		}
	}

	/** Whether the JVM option {@code name} was set by the user rather than left to the JVM's ergonomics. */
	private static boolean chosenByUser(String name) {
		try {
			VMOption.Origin origin = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption(name)
					.getOrigin();
			return origin != VMOption.Origin.DEFAULT && origin != VMOption.Origin.ERGONOMIC;
		} catch (IllegalArgumentException | NullPointerException unknown) {
			return true; // not HotSpot, or no such option: leave the JVM as it was started
		}
	}

	/**
	 * The replacement's command line: this process's own ({@code java [options] -jar jar args},
	 * as it was typed: JDK_JAVA_OPTIONS, which the launcher reads again, are not in it) with
	 * {@link #OPTIONS} before {@code -jar}; empty when it was not started with {@code -jar}.
	 */
	static Optional<List<String>> command(Optional<String> java, Optional<List<String>> arguments) {
		if (java.isEmpty() || arguments.isEmpty()) {
			return Optional.empty();
		}
		int jar = arguments.get().indexOf("-jar");
		if (jar < 0 || jar + 1 >= arguments.get().size()) {
			return Optional.empty();
		}
		List<String> command = new ArrayList<>();
		command.add(java.get());
		command.addAll(arguments.get().subList(0, jar));
		command.addAll(OPTIONS);
		command.addAll(arguments.get().subList(jar, arguments.get().size()));
		return Optional.of(command);
	}

	/** execv(2): returns only when it failed. */
	private static void execv(List<String> command) throws Throwable {
		Linker linker = Linker.nativeLinker();
		MethodHandle execv = linker.downcallHandle(linker.defaultLookup().find("execv").orElseThrow(),
				FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment argv = arena.allocate(ADDRESS, command.size() + 1);
			for (int i = 0; i < command.size(); i++) {
				argv.setAtIndex(ADDRESS, i, arena.allocateFrom(command.get(i)));
			}
			argv.setAtIndex(ADDRESS, command.size(), MemorySegment.NULL);
			int failed = (int) execv.invokeExact(arena.allocateFrom(command.getFirst()), argv);
			if (failed != 0) {
				return;
			}
		}
	}
}
