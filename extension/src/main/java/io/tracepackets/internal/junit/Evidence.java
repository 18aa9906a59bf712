package io.tracepackets.internal.junit;

import io.tracepackets.Artifacts;
import io.tracepackets.TracePackets;
import io.tracepackets.internal.evidence.JsonLines;
import io.tracepackets.internal.evidence.Pcapng;
import io.tracepackets.internal.window.TraceWindow;
import java.nio.file.Path;
import java.util.Optional;
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

	/** Where a test's trace went: the JSON lines, and the pcapng when the budget left room for it. */
	record Files(Path jsonLines, Optional<Path> pcapng) {
	}

	/** Bytes written by this JVM's tests so far. */
	private static final AtomicLong WRITTEN = new AtomicLong();

	private Evidence() {
	}

	/** The failure, its message ending with where the trace was written; same stack trace. */
	static AssertionError naming(AssertionError failure, Files files) {
		AssertionError named = new AssertionError(failure.getMessage()
				+ files.pcapng().map(p -> System.lineSeparator() + "The trace for Wireshark (pcapng): " + p).orElse("")
				+ System.lineSeparator() + "The trace, one event per line: " + files.jsonLines(), failure.getCause());
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
	 * Writes the trace as JSON lines, then as pcapng, and publishes both; returns where they went,
	 * or empty when the run's budget is spent or writing failed (logged: evidence must never hide
	 * the test's own outcome).
	 */
	static Optional<Files> publish(ExtensionContext context, TraceWindow trace, int maxEvents, long maxBytes) {
		// Whose each namespace is, as the failure messages name it: a container's name, a netns path.
		java.util.Map<Long, String> owners = trace.namespaces().stream().collect(java.util.stream.Collectors
				.toMap(io.tracepackets.TracedNamespace::inode, io.tracepackets.TracedNamespace::label, (a, b) -> a));
		Optional<Path> jsonLines = publish(context, maxBytes, ".jsonl", JSON_LINES,
				file -> JsonLines.write(file, trace.events(), trace.paths(), maxEvents, owners));
		if (jsonLines.isEmpty()) {
			return Optional.empty();
		}
		Optional<Path> pcapng = publish(context, maxBytes, ".pcapng", PCAPNG,
				file -> Pcapng.write(file, trace.events(), trace.paths(), maxEvents, owners));
		return Optional.of(new Files(jsonLines.get(), pcapng));
	}

	/** What writes one file. */
	@FunctionalInterface
	private interface Writer {
		void write(Path file) throws java.io.IOException;
	}

	private static Optional<Path> publish(ExtensionContext context, long maxBytes, String extension, MediaType type,
			Writer writer) {
		if (WRITTEN.get() >= maxBytes) {
			LOG.warn("no {} trace file for {}: this run already wrote {} bytes of traces (-D{}={})", extension,
					context.getDisplayName(), WRITTEN.get(), TracePackets.ARTIFACT_MAX_BYTES_PROPERTY, maxBytes);
			return Optional.empty();
		}
		AtomicReference<Path> published = new AtomicReference<>();
		try {
			context.publishFile(fileName(context) + extension, type, file -> {
				writer.write(file);
				WRITTEN.addAndGet(java.nio.file.Files.size(file));
				published.set(file.toAbsolutePath());
			});
		} catch (RuntimeException e) {
			LOG.warn("no {} trace file for {}: {}", extension, context.getDisplayName(), e.toString());
			return Optional.empty();
		}
		return Optional.ofNullable(published.get());
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
