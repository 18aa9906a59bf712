package io.tracepackets.internal.junit;

import io.tracepackets.Artifacts;
import io.tracepackets.TracePackets;
import io.tracepackets.internal.evidence.JsonLines;
import io.tracepackets.internal.window.TraceWindow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.MediaType;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A test's trace left as a file beside its report: JSON lines, published with JUnit's file
 * publishing (so IDEs and report tools list it) under {@code junit.platform.output.dir}. Bounded
 * per test (events) and per run (bytes), so a flood cannot fill the disk.
 */
final class Evidence {

	private static final Logger LOG = LoggerFactory.getLogger(Evidence.class);
	static final int DEFAULT_MAX_EVENTS = 100_000;
	static final long DEFAULT_MAX_BYTES = 256L << 20;
	private static final MediaType JSON_LINES = MediaType.parse("application/x-ndjson");

	/** Bytes written by this JVM's tests so far. */
	private static final AtomicLong WRITTEN = new AtomicLong();

	private Evidence() {
	}

	/** The failure, its message ending with where the trace was written; same stack trace. */
	static AssertionError naming(AssertionError failure, Path file) {
		AssertionError named = new AssertionError(failure.getMessage() + System.lineSeparator()
				+ "The trace, one event per line: " + file, failure.getCause());
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
	 * Writes the trace and publishes it; returns where it went, or empty when the run's budget is
	 * spent or writing failed (logged: evidence must never hide the test's own outcome).
	 */
	static Optional<Path> publish(ExtensionContext context, TraceWindow trace, int maxEvents, long maxBytes) {
		if (WRITTEN.get() >= maxBytes) {
			LOG.warn("no trace file for {}: this run already wrote {} bytes of traces (-D{}={})",
					context.getDisplayName(), WRITTEN.get(), TracePackets.ARTIFACT_MAX_BYTES_PROPERTY, maxBytes);
			return Optional.empty();
		}
		AtomicReference<Path> published = new AtomicReference<>();
		try {
			context.publishFile(fileName(context), JSON_LINES, file -> {
				JsonLines.write(file, trace.events(), trace.paths(), maxEvents);
				WRITTEN.addAndGet(Files.size(file));
				published.set(file.toAbsolutePath());
			});
		} catch (RuntimeException e) {
			LOG.warn("no trace file for {}: {}", context.getDisplayName(), e.toString());
			return Optional.empty();
		}
		return Optional.ofNullable(published.get());
	}

	/** {@code trace-<method>[-<invocation>].jsonl}: unique within the test's own output folder. */
	private static String fileName(ExtensionContext context) {
		String method = context.getTestMethod().map(m -> m.getName()).orElse("test");
		String id = context.getUniqueId();
		int invocation = id.lastIndexOf("#");
		String suffix = invocation < 0 ? "" : "-" + id.substring(invocation + 1).replaceAll("[^A-Za-z0-9]", "");
		return "trace-" + method + suffix + ".jsonl";
	}
}
