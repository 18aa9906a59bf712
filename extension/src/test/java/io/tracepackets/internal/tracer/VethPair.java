package io.tracepackets.internal.tracer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway network namespace joined to the host by a veth pair, for kernel tests that need
 * real packets without Docker: host side {@code 10.<n>.<m>.1}, namespace side {@code .2}.
 */
public final class VethPair implements AutoCloseable {

	public final String netns;
	public final String hostAddress;
	public final String peerAddress;
	private final String hostIf;

	public VethPair() {
		int n = ThreadLocalRandom.current().nextInt(1, 250);
		int m = ThreadLocalRandom.current().nextInt(1, 250);
		String id = Integer.toString(ThreadLocalRandom.current().nextInt(100000, 999999));
		netns = "tptest" + id;
		hostIf = "tph" + id;
		String peerIf = "tpp" + id;
		hostAddress = "10.213." + n + "." + (m & ~3 | 1);
		peerAddress = "10.213." + n + "." + (m & ~3 | 2);
		run("ip", "netns", "add", netns);
		run("ip", "link", "add", hostIf, "type", "veth", "peer", "name", peerIf, "netns", netns);
		run("ip", "addr", "add", hostAddress + "/30", "dev", hostIf);
		run("ip", "link", "set", hostIf, "up");
		inNetns("ip", "addr", "add", peerAddress + "/30", "dev", peerIf);
		inNetns("ip", "link", "set", peerIf, "up");
		inNetns("ip", "link", "set", "lo", "up");
	}

	public Path path() {
		return Path.of("/run/netns", netns);
	}

	/** Runs a command inside the namespace; fails on a non-zero exit. */
	public void inNetns(String... command) {
		String[] full = new String[command.length + 4];
		full[0] = "ip";
		full[1] = "netns";
		full[2] = "exec";
		full[3] = netns;
		System.arraycopy(command, 0, full, 4, command.length);
		run(full);
	}

	public static void run(String... command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes());
			if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
			}
		} catch (IOException e) {
			throw new IllegalStateException(String.join(" ", List.of(command)) + ": " + e.getMessage(), e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	@Override
	public void close() {
		run("ip", "link", "del", hostIf);
		run("ip", "netns", "del", netns);
	}
}
