package io.tracepackets.internal.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two fresh network namespaces joined by a veth pair, made with {@code ip netns add} for tests
 * (needs root): {@code a} holds {@link #A_IP} on {@link #aInterface()}, {@code b} holds {@link #B_IP}.
 * Names carry this JVM's pid so parallel builds do not collide. Close to delete both.
 */
public final class VethPair implements AutoCloseable {

	public static final String A_IP = "10.231.0.1";
	public static final String B_IP = "10.231.0.2";

	private static int counter;

	private final String prefix;
	private final NetworkNamespace a;
	private final NetworkNamespace b;

	private VethPair(String prefix, NetworkNamespace a, NetworkNamespace b) {
		this.prefix = prefix;
		this.a = a;
		this.b = b;
	}

	/** Skips the calling test unless this JVM runs as root (ip netns and setns need it). */
	public static void assumeRoot() {
		boolean root;
		try {
			root = ((Integer) java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
		} catch (IOException e) {
			root = false;
		}
		org.junit.jupiter.api.Assumptions.assumeTrue(root || Boolean.getBoolean("tracepackets.strict"),
				"needs root: network namespaces are created with ip netns and entered with setns");
	}

	public static synchronized VethPair create() {
		String prefix = "tp" + ProcessHandle.current().pid() + "x" + (counter++);
		String nsA = prefix + "a";
		String nsB = prefix + "b";
		List<String> made = new ArrayList<>();
		try {
			ip("netns", "add", nsA);
			made.add(nsA);
			ip("netns", "add", nsB);
			made.add(nsB);
			ip("link", "add", prefix + "a", "netns", nsA, "type", "veth", "peer", "name", prefix + "b", "netns", nsB);
			ip("-n", nsA, "addr", "add", A_IP + "/24", "dev", prefix + "a");
			ip("-n", nsB, "addr", "add", B_IP + "/24", "dev", prefix + "b");
			for (String ns : List.of(nsA, nsB)) {
				ip("-n", ns, "link", "set", "lo", "up");
				ip("-n", ns, "link", "set", prefix + ns.substring(ns.length() - 1), "up");
			}
			return new VethPair(prefix, NetworkNamespace.ofPath(Path.of("/run/netns", nsA)),
					NetworkNamespace.ofPath(Path.of("/run/netns", nsB)));
		} catch (RuntimeException e) {
			made.forEach(ns -> quietly("netns", "del", ns));
			throw e;
		}
	}

	public NetworkNamespace a() {
		return a;
	}

	public NetworkNamespace b() {
		return b;
	}

	public String aName() {
		return prefix + "a";
	}

	public String bName() {
		return prefix + "b";
	}

	/** The veth end in {@code a}; named like the namespace. */
	public String aInterface() {
		return prefix + "a";
	}

	public String bInterface() {
		return prefix + "b";
	}

	/** Runs a command inside {@code a}, e.g. {@code iptables-legacy -A OUTPUT ... -j DROP}. */
	public String execInA(String... command) {
		return exec(aName(), command);
	}

	/** Runs a command inside {@code b}, e.g. {@code iptables-legacy -A INPUT ... -j DROP}. */
	public String execInB(String... command) {
		return exec(bName(), command);
	}

	private static String exec(String netns, String... command) {
		List<String> args = new ArrayList<>(List.of("netns", "exec", netns));
		args.addAll(List.of(command));
		return ip(args.toArray(String[]::new));
	}

	@Override
	public void close() {
		quietly("netns", "del", aName());
		quietly("netns", "del", bName());
	}

	/** Runs {@code ip args...}, failing with its output on a non-zero exit. */
	public static String ip(String... args) {
		List<String> command = new ArrayList<>();
		command.add("ip");
		command.addAll(List.of(args));
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException(command + " timed out");
			}
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (process.exitValue() != 0) {
				throw new IllegalStateException(command + " exited " + process.exitValue() + ": " + output);
			}
			return output;
		} catch (IOException e) {
			throw new IllegalStateException(command + ": " + e, e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(command + " interrupted", e);
		}
	}

	private static void quietly(String... args) {
		try {
			ip(args);
		} catch (RuntimeException e) {
			// Cleanup: the namespace may already be gone.
		}
	}
}
