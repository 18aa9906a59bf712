package io.tracepackets.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short helper commands (ip, gcc, uname) and fails loudly with their output. */
final class Commands {

	private Commands() {
	}

	static String run(String... command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
			}
			return output.strip();
		} catch (IOException e) {
			throw new UncheckedIOException(String.join(" ", List.of(command)), e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	/** Like {@link #run} but returns {@code fallback} instead of failing (for report facts). */
	static String tryRun(String fallback, String... command) {
		try {
			return run(command);
		} catch (RuntimeException e) {
			return fallback;
		}
	}
}
