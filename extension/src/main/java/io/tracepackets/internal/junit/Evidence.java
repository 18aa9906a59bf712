package io.tracepackets.internal.junit;

import io.tracepackets.Artifacts;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketPath;
import io.tracepackets.TracePackets;
import io.tracepackets.TracedNamespace;
import io.tracepackets.internal.evidence.JsonLines;
import io.tracepackets.internal.evidence.Pcapng;
import io.tracepackets.internal.window.TraceWindow;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.MediaType;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A test's trace left as files beside its report: JSON lines and pcapng, published with JUnit's
 * file publishing (so IDEs and report tools list them) under {@code junit.platform.output.dir}.
 * Bounded per test (events, per file) and per run (bytes, both files counted), so a flood cannot
 * fill the disk.
 */
final class Evidence {

	private static final Logger LOG = LoggerFactory.getLogger(Evidence.class);
	static final int DEFAULT_MAX_EVENTS = 100_000;
	static final long DEFAULT_MAX_BYTES = 256L << 20;
	private static final MediaType JSON_LINES = MediaType.parse("application/x-ndjson");
	/** Wireshark's own name for the format; IANA has registered none. */
	private static final MediaType PCAPNG = MediaType.parse("application/x-pcapng");

	/**
	 * What became of a test's two trace files: where each went, or, for each one that is not there,
	 * one sentence saying why (the run's budget spent, a full disk...).
	 */
	record Files(Optional<Path> jsonLines, Optional<Path> pcapng, List<String> notWritten) {
	}

	/** Bytes written by this JVM's tests so far. */
	private static final AtomicLong WRITTEN = new AtomicLong();

	private Evidence() {
	}

	/**
	 * The failure, its message ending with where the trace was written and what could not be;
	 * same stack trace. The assertion's own text comes first and unchanged.
	 */
	static AssertionError naming(AssertionError failure, Files files) {
		StringBuilder message = new StringBuilder(String.valueOf(failure.getMessage()));
		String lf = System.lineSeparator();
		files.notWritten().forEach(why -> message.append(lf).append(why));
		files.pcapng().ifPresent(p -> message.append(lf).append("The trace for Wireshark (pcapng): ").append(p));
		files.jsonLines().ifPresent(p -> message.append(lf).append("The trace, one event per line: ").append(p));
		AssertionError named = new AssertionError(message.toString(), failure.getCause());
		named.setStackTrace(failure.getStackTrace());
		for (Throwable suppressed : failure.getSuppressed()) {
			named.addSuppressed(suppressed);
		}
		return named;
	}

	/** Whether a test leaves its trace for this outcome. */
	static boolean wanted(Artifacts artifacts, boolean failed) {
		return artifacts == Artifacts.ALWAYS || artifacts == Artifacts.ON_FAILURE && failed;
	}

	/**
	 * Writes the trace as JSON lines, then as pcapng, and publishes each that was written whole; a
	 * file that could not be written whole (the run's budget spent, the disk full) is removed and
	 * said why. Never throws: evidence must never hide the test's own outcome.
	 */
	static Files publish(ExtensionContext context, TraceWindow trace, int maxEvents, long maxBytes) {
		// Whose each namespace is, as the failure messages name it: a container's name, a netns path.
		Map<Long, String> owners = trace.namespaces().stream()
				.collect(Collectors.toMap(TracedNamespace::inode, TracedNamespace::label, (a, b) -> a));
		// One snapshot for both files: a trace of a busy namespace still takes events in, and the
		// two files must show the same ones.
		List<PacketEvent> events = trace.events();
		List<PacketPath> paths = trace.paths();
		List<String> notWritten = new ArrayList<>();
		Optional<Path> jsonLines = publish(context, maxBytes, JSON_LINES_FILE, notWritten,
				file -> JsonLines.write(file, events, paths, maxEvents, owners));
		Optional<Path> pcapng = publish(context, maxBytes, PCAPNG_FILE, notWritten,
				file -> Pcapng.write(file, events, paths, maxEvents, owners));
		return new Files(jsonLines, pcapng, List.copyOf(notWritten));
	}

	/** What writes one file. */
	@FunctionalInterface
	private interface Writer {
		void write(Path file) throws IOException;
	}

	/** One kind of trace file: what a message calls it, its extension and media type. */
	private record Kind(String name, String extension, MediaType type) {
	}

	private static final Kind JSON_LINES_FILE = new Kind("The trace, one event per line,", ".jsonl", JSON_LINES);
	private static final Kind PCAPNG_FILE = new Kind("The trace for Wireshark (pcapng)", ".pcapng", PCAPNG);

	private static Optional<Path> publish(ExtensionContext context, long maxBytes, Kind kind, List<String> notWritten,
			Writer writer) {
		if (WRITTEN.get() >= maxBytes) {
			String why = "this run already wrote " + WRITTEN.get() + " bytes of traces (-D"
					+ TracePackets.ARTIFACT_MAX_BYTES_PROPERTY + "=" + maxBytes + ")";
			LOG.warn("no {} trace file for {}: {}", kind.extension(), context.getDisplayName(), why);
			notWritten.add(kind.name() + " was not written: " + why);
			return Optional.empty();
		}
		AtomicReference<Path> attempted = new AtomicReference<>();
		AtomicReference<Path> published = new AtomicReference<>();
		try {
			context.publishFile(fileName(context) + kind.extension(), kind.type(), file -> {
				attempted.set(file.toAbsolutePath());
				writer.write(file);
				WRITTEN.addAndGet(java.nio.file.Files.size(file));
				published.set(file.toAbsolutePath());
			});
		} catch (RuntimeException e) {
			String why = reason(e) + removePartial(attempted.get());
			String where = attempted.get() == null ? "" : " to " + attempted.get();
			LOG.warn("no {} trace file for {}: {}", kind.extension(), context.getDisplayName(), why);
			notWritten.add(kind.name() + " was not written" + where + ": " + why);
			return Optional.empty();
		}
		return Optional.ofNullable(published.get());
	}

	/**
	 * The words of the deepest I/O error under JUnit's "Failed to publish path" ("No space left on
	 * device"), else the failure's own.
	 */
	static String reason(Throwable failure) {
		String reason = null;
		Throwable deepest = failure;
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			deepest = cause;
			if (cause instanceof FileSystemException fs && fs.getReason() != null) {
				reason = fs.getReason();
			} else if (cause instanceof IOException io && io.getMessage() != null) {
				reason = io.getMessage();
			}
		}
		// no I/O error: a writer's own failure, named by its deepest cause rather than JUnit's wrapper
		return reason != null ? reason : deepest.toString();
	}

	/** Removes what a failed write left, so no truncated file passes for a trace; says what became of it. */
	private static String removePartial(Path file) {
		if (file == null) {
			return "";
		}
		try {
			return java.nio.file.Files.deleteIfExists(file) ? "; the partial file was removed" : "";
		} catch (IOException e) {
			return "; the partial file could not be removed either (" + reason(e) + "): delete " + file;
		}
	}

	/** {@code trace-<method>[-<invocation>]} (then .jsonl, .pcapng): unique within the test's own output folder. */
	private static String fileName(ExtensionContext context) {
		String method = context.getTestMethod().map(m -> m.getName()).orElse("test");
		String id = context.getUniqueId();
		int invocation = id.lastIndexOf("#");
		String suffix = invocation < 0 ? "" : "-" + id.substring(invocation + 1).replaceAll("[^A-Za-z0-9]", "");
		return "trace-" + method + suffix;
	}
}
