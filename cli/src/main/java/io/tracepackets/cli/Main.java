package io.tracepackets.cli;

import io.tracepackets.PacketEvent;
import io.tracepackets.TracePacketsException;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.live.LiveTrace;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar tracepackets-cli.jar [options] ['pcap expression']}: what the kernel does with
 * the packets of some network namespaces, printed as it happens (pwru's columns by default, JSON
 * lines or pcapng on request), until Ctrl-C or {@code --limit}; then how many events and how many
 * were lost. Exit status: 0 after a trace, 1 when the kernel cannot trace here, 2 for bad usage.
 */
public final class Main {

	static final int TRACED = 0;
	static final int CANNOT_TRACE = 1;
	static final int BAD_USAGE = 2;
	private static final long POLL_NANOS = 100_000_000L;

	private final PrintStream err;
	private volatile boolean stopping;
	private volatile boolean endOfInput;
	private final CountDownLatch finished = new CountDownLatch(1);
	/** Run as the program ({@link #main}), not by a test: its heap is bounded first ({@link BoundedHeap}). */
	private boolean boundHeap;

	private Main(PrintStream err) {
		this.err = err;
	}

	public static void main(String[] args) {
		Main main = new Main(System.err);
		main.boundHeap = true;
		System.exit(main.run(args, System.out));
	}

	int run(String[] args, OutputStream stdout) {
		CliOptions options;
		try {
			options = CliOptions.parse(args);
		} catch (IllegalArgumentException e) {
			err.println("tracepackets: " + e.getMessage());
			err.println("Try: java -jar tracepackets-cli.jar --help");
			return BAD_USAGE;
		}
		if (options.help()) {
			System.out.print(CliOptions.usage());
			System.out.flush();
			return TRACED;
		}
		if (boundHeap) {
			// before any work: the usage errors above cost no second start
			BoundedHeap.replaceUnlessChosen();
		}
		if (options.format() == CliOptions.Format.PCAPNG && options.outputFile() == null && System.console() != null
				&& System.console().isTerminal()) {
			err.println("tracepackets: --output pcapng is binary: add --output-file F, or pipe it (| wireshark -k -i -)");
			return BAD_USAGE;
		}
		LiveTrace trace;
		EventSelection selection;
		try {
			selection = EventSelection.of(options.selection());
			trace = LiveTrace.start(options.live());
		} catch (IllegalArgumentException | UnsupportedOperationException e) {
			err.println("tracepackets: " + e.getMessage());
			return BAD_USAGE;
		} catch (TracingUnavailableException e) {
			err.println("tracepackets: cannot trace here: " + e.getMessage());
			return CANNOT_TRACE;
		} catch (TracePacketsException e) {
			err.println("tracepackets: " + e.getMessage());
			return CANNOT_TRACE;
		}
		Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("tracepackets-stop").unstarted(this::stop));
		StopSignals.takeBackIgnored(err);
		try (trace) {
			return trace(trace, options, selection, stdout);
		} finally {
			finished.countDown();
		}
	}

	/** Ctrl-C (SIGINT) or SIGTERM: let the main loop drain, summarize and detach, then exit. */
	private void stop() {
		stopping = true;
		try {
			finished.await(10, TimeUnit.SECONDS);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	private int trace(LiveTrace trace, CliOptions options, EventSelection selection, OutputStream stdout) {
		long[] written = { 0 };
		boolean timeUp = false;
		LossReport losses = new LossReport();
		try (Output output = Output.open(options, stdout, trace.startNanos())) {
			String scope = options.everyNamespaceByDefault()
					? "every network namespace (the default, as pwru's; --netns, --container or --all-netns=false"
							+ " narrow it)"
					: options.live().allNamespaces() ? "every network namespace"
					: "netns " + trace.namespaces().entrySet().stream()
							.map(n -> n.getKey() + " (" + n.getValue() + ")").reduce((a, b) -> a + ", " + b).orElse("")
							+ " only (--all-netns traces every one)";
			err.println("tracepackets: tracing " + scope + " with the " + trace.describe() + "; Ctrl-C to stop");
			err.flush();
			if (options.readyFile() != null) {
				Files.writeString(options.readyFile(), "ready\n");
			}
			stopAtEndOfInput();
			long deadline = options.duration() == null ? Long.MAX_VALUE : System.nanoTime() + options.duration().toNanos();
			// Each poll hands over one bounded batch, written out and forgotten before the next: the
			// memory a trace holds does not grow with its length or its rate.
			while (!stopping && !full(options, written[0]) && !output.failed() && System.nanoTime() - deadline < 0) {
				trace.poll(event -> write(output, options, selection.select(event), written), POLL_NANOS);
				output.flush();
				reportLoss(losses, trace);
			}
			timeUp = System.nanoTime() - deadline >= 0;
			trace.stop();
			while (trace.poll(event -> write(output, options, selection.select(event), written), 0) > 0) {
				output.flush();
			}
			output.flush();
		} catch (IOException e) {
			err.println("tracepackets: cannot write the output: " + e.getMessage());
			return CANNOT_TRACE;
		} catch (UncheckedIOException e) {
			err.println("tracepackets: cannot write the output: " + e.getCause().getMessage());
			return CANNOT_TRACE;
		}
		err.println("tracepackets: " + written[0] + " events written" + (full(options, written[0]) ? " (--limit "
				+ options.limit() + " reached)" : "") + (endOfInput ? " (standard input closed)" : "")
				+ (timeUp ? " (--duration " + options.duration().toString().substring(2).toLowerCase(java.util.Locale.ROOT) + " reached)" : "") + ", " + trace.events() + " traced, " + trace.lost()
				+ " lost (ring buffer or store full), " + trace.skippedRuns()
				+ " probe runs skipped by the kernel (recursion, kprobe misses)" + (options.outputFile() == null ? "" : "; output in "
						+ options.outputFile()));
		err.println("tracepackets: counted in the kernel, exact" + (trace.lost() > 0 ? " (the lost events included)" : "")
				+ ":");
		err.println(indented(trace.counts().toString()));
		err.flush();
		return TRACED;
	}

	/** A loss line on standard error when events were lost since the last one (at most one a second). */
	private void reportLoss(LossReport losses, LiveTrace trace) {
		losses.update(trace.lost(), System.nanoTime()).ifPresent(line -> {
			err.println(line);
			err.flush();
		});
	}

	private static String indented(String lines) {
		return lines.lines().map(line -> "  " + line).collect(java.util.stream.Collectors.joining("\n"));
	}

	/**
	 * When standard input is a pipe or a socket, its end stops the trace: the way to stop it from a
	 * program that holds its input (a script's coprocess, ssh) without a signal. A terminal, a file
	 * or /dev/null (a script's background job) never ends it.
	 */
	private void stopAtEndOfInput() {
		String input;
		try {
			input = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
		} catch (IOException | UnsupportedOperationException e) {
			return;
		}
		if (!input.startsWith("pipe:") && !input.startsWith("socket:")) {
			return;
		}
		Thread.ofPlatform().daemon().name("tracepackets-stdin").start(() -> {
			try {
				while (System.in.read(new byte[4096]) >= 0) {
					// what is written is not read: only its end counts
				}
			} catch (IOException e) {
				// unreadable input stops nothing
				return;
			}
			endOfInput = true;
			stopping = true;
		});
	}

	private static boolean full(CliOptions options, long written) {
		return options.limit() > 0 && written >= options.limit();
	}

	private static void write(Output output, CliOptions options, PacketEvent event, long[] written) {
		if (event == null || full(options, written[0])) {
			return;
		}
		try {
			output.write(event);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		written[0]++;
	}

	/** Where the output goes, when it is not standard output. */
	static OutputStream file(Path path) throws IOException {
		return Files.newOutputStream(path);
	}
}
