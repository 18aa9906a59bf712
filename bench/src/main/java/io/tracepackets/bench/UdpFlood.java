package io.tracepackets.bench;

import io.tracepackets.testing.VethNamespaces;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packet generator: udpflood.c, compiled with gcc at bench time, run in the sender namespace
 * against a port nobody listens on, so every packet ends in kfree_skb (NO_SOCKET).
 */
final class UdpFlood {

	static final int PORT = 9;
	private static final Pattern RESULT = Pattern.compile("packets=(\\d+) cpu_ms=(\\d+)");

	/** What one flood did: packets sent in {@code seconds}, and the sender's CPU time. */
	record Result(long packets, double seconds, long cpuMillis) {
		double packetsPerSecond() {
			return packets / seconds;
		}
	}

	private final Path binary;
	private final VethNamespaces pair;

	private UdpFlood(Path binary, VethNamespaces pair) {
		this.binary = binary;
		this.pair = pair;
	}

	static UdpFlood compile(Path source, Path workDir, VethNamespaces pair) {
		Path binary = workDir.resolve("udpflood");
		Commands.run("gcc", "-O2", "-Wall", "-o", binary.toString(), source.toString());
		return new UdpFlood(binary, pair);
	}

	/** A binary {@link #compile} built earlier (the kernel VM has no compiler): {@code workDir/udpflood}. */
	static UdpFlood prebuilt(Path workDir, VethNamespaces pair) {
		Path binary = workDir.resolve("udpflood");
		if (!java.nio.file.Files.isExecutable(binary)) {
			throw new IllegalStateException(binary + " is missing: build it first (gcc -O2 -o " + binary
					+ " bench/src/main/c/udpflood.c)");
		}
		return new UdpFlood(binary, pair);
	}

	/** Starts a flood of {@code seconds}; {@link #finish} waits for it. */
	Process start(double seconds) {
		try {
			return new ProcessBuilder("ip", "netns", "exec", pair.leftName(), binary.toString(), pair.rightAddress(),
					Integer.toString(PORT), Double.toString(seconds)).redirectErrorStream(true).start();
		} catch (IOException e) {
			throw new UncheckedIOException("cannot start " + binary, e);
		}
	}

	static Result finish(Process process, double seconds) {
		try {
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			process.waitFor();
			Matcher matcher = RESULT.matcher(output);
			if (process.exitValue() != 0 || !matcher.find()) {
				throw new IllegalStateException("udpflood failed: " + output);
			}
			return new Result(Long.parseLong(matcher.group(1)), seconds, Long.parseLong(matcher.group(2)));
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	Result run(double seconds) {
		return finish(start(seconds), seconds);
	}

	static void checkSource(Path source) {
		if (!Files.isRegularFile(source)) {
			throw new IllegalArgumentException("flood source not found: " + source + " (run from the repository root)");
		}
	}
}
