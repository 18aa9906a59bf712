package io.tracepackets.internal.netns;

import io.tracepackets.TracePacketsException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a network tool ({@code nft}, {@code iptables-nft-save}, {@code iptables-legacy-save})
 * inside a network namespace with {@code nsenter --net}: the tools talk to the kernel of the
 * namespace they run in, and the host's binaries serve every container, which need not have them.
 * In a namespace this JVM cannot enter, its {@link NamespaceEntry} runs them there instead.
 */
public final class NamespaceCommand {

	private static final long TIMEOUT_SECONDS = 10;

	private NamespaceCommand() {
	}

	/**
	 * Runs {@code command} in {@code netns}, feeding it {@code input} (may be null).
	 *
	 * @return its standard output
	 * @throws TracePacketsException naming the command and its standard error when it fails
	 */
	public static String run(NetworkNamespace netns, String input, String... command) {
		if (netns.entry().isPresent()) {
			// This JVM cannot enter it: the command runs there through the entry, with the input as a file.
			NamespaceEntry entry = netns.entry().get();
			if (input == null) {
				return entry.run(Map.of(), command);
			}
			String[] fed = {"sh", "-c", "exec \"$0\" \"$@\" < /tracepackets/input", command[0]};
			String[] argv = Stream.concat(Arrays.stream(fed), Arrays.stream(command, 1, command.length))
					.toArray(String[]::new);
			return entry.run(Map.of("/tracepackets/input", input.getBytes(StandardCharsets.UTF_8)), argv);
		}
		netns.requireReachable("running " + String.join(" ", command) + " in");
		List<String> argv = new ArrayList<>(List.of("nsenter", "--net=" + netns.path()));
		argv.addAll(List.of(command));
		Process process;
		try {
			process = new ProcessBuilder(argv).start();
		} catch (IOException e) {
			throw new TracePacketsException("cannot run " + String.join(" ", command) + " in " + netns.label() + ": "
					+ e.getMessage() + " (install it: apt-get install nftables iptables iproute2 util-linux)", e);
		}
		CompletableFuture<String> out = read(process.getInputStream());
		CompletableFuture<String> err = read(process.getErrorStream());
		try (OutputStream stdin = process.getOutputStream()) {
			if (input != null) {
				stdin.write(input.getBytes(StandardCharsets.UTF_8));
			}
		} catch (IOException ignored) {
			// the tool exited before reading its input: its exit status says why
		}
		try {
			if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new TracePacketsException(String.join(" ", command) + " in " + netns.label()
						+ " did not finish within " + TIMEOUT_SECONDS + " s");
			}
			if (process.exitValue() != 0) {
				throw new TracePacketsException(String.join(" ", command) + " in " + netns.label() + " failed (exit "
						+ process.exitValue() + "): " + err.join().strip());
			}
			return out.join();
		} catch (InterruptedException e) {
			process.destroyForcibly();
			Thread.currentThread().interrupt();
			throw new TracePacketsException("interrupted while running " + String.join(" ", command), e);
		}
	}

	private static CompletableFuture<String> read(java.io.InputStream stream) {
		return CompletableFuture.supplyAsync(() -> {
			try (stream) {
				return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
			} catch (IOException e) {
				return "";
			}
		}, Thread::startVirtualThread);
	}
}
