package io.tracepackets.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A child JVM's output, as the tests that start one read it. */
final class ChildOutput {

	private ChildOutput() {
	}

	/**
	 * Reads the child's output until {@code marker}, failing with what it printed when it does not
	 * come; goes on reading after it, so that the child never blocks on a full pipe.
	 */
	static void awaitLine(Process child, String marker) throws Exception {
		List<String> seen = new ArrayList<>();
		BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
		CompletableFuture<Boolean> found = new CompletableFuture<>();
		Thread.ofVirtual().start(() -> {
			try {
				for (String line = out.readLine(); line != null; line = out.readLine()) {
					if (line.equals(marker)) {
						found.complete(true);
					}
					synchronized (seen) {
						seen.add(line);
					}
				}
			} catch (IOException e) {
				// the child is gone
			} finally {
				found.complete(false);
			}
		});
		boolean said;
		try {
			said = found.get(90, TimeUnit.SECONDS);
		} catch (java.util.concurrent.TimeoutException e) {
			said = false;
		}
		synchronized (seen) {
			assertThat(said).as("the child said %s; its output:%n%s", marker, String.join("\n", seen)).isTrue();
		}
	}
}
