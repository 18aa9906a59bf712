package io.tracepackets.samples.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces joined by a veth pair, made with {@code ip netns} (no Docker needed):
 * {@code left} at 10.77.x.1, {@code right} at 10.77.x.2. For tests that run where there is no
 * container engine, such as the kernel VM.
 */
public final class NetnsPair implements AutoCloseable {

	public final String left;
	public final String right;
	public final String leftAddress;
	public final String rightAddress;

	public NetnsPair() {
		String id = Integer.toString(ThreadLocalRandom.current().nextInt(10000, 99999));
		int subnet = ThreadLocalRandom.current().nextInt(1, 250);
		left = "tpl" + id;
		right = "tpr" + id;
		leftAddress = "10.77." + subnet + ".1";
		rightAddress = "10.77." + subnet + ".2";
		run("ip", "netns", "add", left);
		run("ip", "netns", "add", right);
		run("ip", "link", "add", "vl" + id, "netns", left, "type", "veth", "peer", "name", "vr" + id, "netns", right);
		in(left, "ip", "addr", "add", leftAddress + "/24", "dev", "vl" + id);
		in(right, "ip", "addr", "add", rightAddress + "/24", "dev", "vr" + id);
		for (String[] side : new String[][] { { left, "vl" + id }, { right, "vr" + id } }) {
			in(side[0], "ip", "link", "set", side[1], "up");
			in(side[0], "ip", "link", "set", "lo", "up");
		}
	}

	public Path leftPath() {
		return Path.of("/run/netns", left);
	}

	public Path rightPath() {
		return Path.of("/run/netns", right);
	}

	/** Runs a command in namespace {@code netns}, failing with its output on a non-zero exit. */
	public static void in(String netns, String... command) {
		String[] full = new String[command.length + 4];
		full[0] = "ip";
		full[1] = "netns";
		full[2] = "exec";
		full[3] = netns;
		System.arraycopy(command, 0, full, 4, command.length);
		run(full);
	}

	private static void run(String... command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes());
			if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
			}
		} catch (IOException e) {
			throw new IllegalStateException(String.join(" ", command) + ": " + e.getMessage(), e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	@Override
	public void close() {
		run("ip", "netns", "del", left);
		run("ip", "netns", "del", right);
	}
}
