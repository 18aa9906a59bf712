package io.tracepackets.testing;

import io.tracepackets.TracePacketsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * Two throwaway network namespaces joined by a veth pair, for tests that need real packets
 * without a container engine (a kernel VM, a bare CI runner). Made with {@code ip netns} from
 * iproute2; needs root. {@code left} holds {@code 10.231.N.1}, {@code right} {@code 10.231.N.2}
 * (N differs per pair in a JVM). Trace them with {@code trace.scope(pair.leftPath())}; send from
 * inside with {@code Traffic.fromNetnsPath(pair.leftPath())}. Close to delete both.
 *
 * <p>A JVM killed before it closed its pairs (SIGKILL, a crash) leaves them behind; the first
 * {@link #create()} of the next JVM deletes them: every {@code /run/netns/tp<pid>x<n>a|b} whose
 * {@code <pid>} is no longer a running process, or is one that started after the namespace was
 * made (its pid was reused), as the kernel frees a killed JVM's BPF programs and links when it
 * closes its file descriptors.
 */
public final class VethNamespaces implements AutoCloseable {

	private static final AtomicInteger COUNTER = new AtomicInteger();
	private static final AtomicBoolean SWEPT = new AtomicBoolean();
	private static final Path NETNS_DIR = Path.of("/run/netns");
	/**
	 * The names {@link #create()} gives: {@code tp}, the JVM's pid, {@code x}, the pair's number, a
	 * side ({@code a}, {@code b}); {@link CniNetwork} names its node and pods the same way, with
	 * other letters.
	 */
	private static final Pattern NAME = Pattern.compile("tp([0-9]+)x[0-9]+[a-z]");
	/**
	 * How much later than the namespace a process with its pid must have started to be another
	 * process: a process's start time is known to the second (the boot time in /proc/stat is).
	 */
	private static final Duration CLOCK_SLACK = Duration.ofSeconds(2);

	private final String prefix;
	private final int subnet;

	private VethNamespaces(String prefix, int subnet) {
		this.prefix = prefix;
		this.subnet = subnet;
	}

	/**
	 * Creates both namespaces, the veth pair, addresses, and brings every link up.
	 *
	 * @return the pair, ready for traffic; close it to delete both namespaces
	 * @throws TracePacketsException when an {@code ip} command fails (not root, no iproute2); the
	 *     namespaces made so far are deleted
	 */
	public static VethNamespaces create() {
		int n = nextNumber();
		VethNamespaces pair = new VethNamespaces(newPrefix(n), n % 250);
		List<String> made = new ArrayList<>();
		try {
			for (String netns : List.of(pair.leftName(), pair.rightName())) {
				ip("netns", "add", netns);
				made.add(netns);
			}
			ip("link", "add", pair.leftInterface(), "netns", pair.leftName(), "type", "veth", "peer", "name",
					pair.rightInterface(), "netns", pair.rightName());
			ip("-n", pair.leftName(), "addr", "add", pair.leftAddress() + "/24", "dev", pair.leftInterface());
			ip("-n", pair.rightName(), "addr", "add", pair.rightAddress() + "/24", "dev", pair.rightInterface());
			for (String[] side : new String[][] { { pair.leftName(), pair.leftInterface() },
					{ pair.rightName(), pair.rightInterface() } }) {
				ip("-n", side[0], "link", "set", "lo", "up");
				ip("-n", side[0], "link", "set", side[1], "up");
			}
			return pair;
		} catch (RuntimeException e) {
			made.forEach(netns -> quietly("netns", "del", netns));
			throw e;
		}
	}

	/**
	 * The start of the names of a new set of namespaces of this JVM ({@code tp<pid>x<n>}, then a
	 * letter), after deleting, once per JVM, those that killed JVMs left.
	 */
	static String newPrefix(int n) {
		if (SWEPT.compareAndSet(false, true)) {
			removeStale();
		}
		// The whole pid keeps parallel JVMs apart and tells a dead JVM's namespaces from a live
		// one's (pid_max is at most 4194304: 7 digits); the number is cut to 4 digits so that names
		// stay within IFNAMSIZ (15 characters), and repeats only after 10000 sets, long closed.
		return "tp" + ProcessHandle.current().pid() + "x" + n % 10_000;
	}

	/** A number for a new set of namespaces, unique in this JVM. */
	static int nextNumber() {
		return COUNTER.getAndIncrement();
	}

	/**
	 * Deletes the namespaces that killed JVMs left: names {@link #create()} gives whose pid is not
	 * a process that could have made them (see the class comment). Another JVM's live pairs stay.
	 *
	 * @return the names deleted
	 */
	static List<String> removeStale() {
		if (!Files.isDirectory(NETNS_DIR)) {
			return List.of();
		}
		List<String> removed = new ArrayList<>();
		try (Stream<Path> entries = Files.list(NETNS_DIR)) {
			for (Path entry : entries.toList()) {
				String name = entry.getFileName().toString();
				Matcher matcher = NAME.matcher(name);
				if (matcher.matches() && isStale(Long.parseLong(matcher.group(1)), entry)) {
					quietly("netns", "del", name);
					if (!Files.exists(entry)) {
						removed.add(name);
					}
				}
			}
		} catch (IOException | NumberFormatException e) {
			// nothing listed, or a name out of range: nothing of ours to delete there
		}
		if (!removed.isEmpty()) {
			LoggerFactory.getLogger(VethNamespaces.class)
					.info("deleted network namespaces that killed JVMs left behind: {}", String.join(", ", removed));
		}
		return removed;
	}

	/** Whether no live process could have made {@code netns}: its pid is gone, or was reused since. */
	private static boolean isStale(long pid, Path netns) {
		Optional<ProcessHandle> process = ProcessHandle.of(pid);
		if (process.isEmpty() || !process.get().isAlive()) {
			return true;
		}
		// The namespace file's times are those of its nsfs inode, made when `ip netns add` mounted it.
		Optional<Instant> started = process.get().info().startInstant();
		try {
			Instant made = ((FileTime) Files.getAttribute(netns, "unix:ctime")).toInstant();
			return started.isPresent() && started.get().isAfter(made.plus(CLOCK_SLACK));
		} catch (IOException | UnsupportedOperationException e) {
			return false;
		}
	}

	/**
	 * The left namespace's name, as {@code ip netns} and {@code ip -n} know it.
	 *
	 * @return e.g. {@code "tp4242x0a"}: the JVM's pid and the pair's number, within IFNAMSIZ
	 */
	public String leftName() {
		return prefix + "a";
	}

	/**
	 * The right namespace's name, as {@code ip netns} and {@code ip -n} know it.
	 *
	 * @return e.g. {@code "tp4242x0b"}: the JVM's pid and the pair's number, within IFNAMSIZ
	 */
	public String rightName() {
		return prefix + "b";
	}

	/**
	 * {@code /run/netns/<name>}: a scope for a trace, an origin for traffic.
	 *
	 * @return the bind mount {@code ip netns add} made, for {@code trace.scope(path)} and
	 *     {@code Traffic.fromNetnsPath(path)}
	 */
	public Path leftPath() {
		return Path.of("/run/netns", leftName());
	}

	/**
	 * {@code /run/netns/<name>} of {@code right}: a scope for a trace, an origin for traffic.
	 *
	 * @return the bind mount {@code ip netns add} made, for {@code trace.scope(path)} and
	 *     {@code Traffic.fromNetnsPath(path)}
	 */
	public Path rightPath() {
		return Path.of("/run/netns", rightName());
	}

	/**
	 * The veth end inside {@code left}, named like its namespace.
	 *
	 * @return the interface name, as {@link io.tracepackets.PacketEvent#interfaceName()} shows it
	 */
	public String leftInterface() {
		return leftName();
	}

	/**
	 * The veth end inside {@code right}, named like its namespace.
	 *
	 * @return the interface name, as {@link io.tracepackets.PacketEvent#interfaceName()} shows it
	 */
	public String rightInterface() {
		return rightName();
	}

	/**
	 * The IPv4 address of the veth end in {@code left}, in a /24 shared with the other end.
	 *
	 * @return e.g. {@code "10.231.0.1"}, the third number differing per pair
	 */
	public String leftAddress() {
		return "10.231." + subnet + ".1";
	}

	/**
	 * The IPv4 address of the veth end in {@code right}, in a /24 shared with the other end.
	 *
	 * @return e.g. {@code "10.231.0.2"}, the third number differing per pair
	 */
	public String rightAddress() {
		return "10.231." + subnet + ".2";
	}

	/**
	 * The {@code left} namespace's inode, as BPF programs see it ({@code net->ns.inum}).
	 *
	 * @return the inode, as {@link io.tracepackets.PacketEvent#netns()} carries it
	 * @throws TracePacketsException when the namespace is gone (closed)
	 */
	public long leftInode() {
		return inode(leftPath());
	}

	/**
	 * The {@code right} namespace's inode, as BPF programs see it ({@code net->ns.inum}).
	 *
	 * @return the inode, as {@link io.tracepackets.PacketEvent#netns()} carries it
	 * @throws TracePacketsException when the namespace is gone (closed)
	 */
	public long rightInode() {
		return inode(rightPath());
	}

	/**
	 * Runs a command inside {@code left} (e.g. {@code iptables-legacy -A OUTPUT ...}); returns its output.
	 *
	 * @param command the program and its arguments, run by {@code ip netns exec}, e.g.
	 *     {@code "ping", "-c1", "10.231.0.2"}
	 * @return what it printed, standard output and error together
	 * @throws TracePacketsException when it exits with a non-zero status, or runs longer than 30 s; the
	 *     message holds its output
	 */
	public String execInLeft(String... command) {
		return exec(leftName(), command);
	}

	/**
	 * Runs a command inside {@code right} (e.g. {@code ss -tln}); returns its output.
	 *
	 * @param command the program and its arguments, run by {@code ip netns exec}, e.g.
	 *     {@code "ping", "-c1", "10.231.0.1"}
	 * @return what it printed, standard output and error together
	 * @throws TracePacketsException when it exits with a non-zero status, or runs longer than 30 s; the
	 *     message holds its output
	 */
	public String execInRight(String... command) {
		return exec(rightName(), command);
	}

	static String exec(String netns, String... command) {
		List<String> args = new ArrayList<>(List.of("netns", "exec", netns));
		args.addAll(List.of(command));
		return ip(args.toArray(String[]::new));
	}

	/** Deletes both namespaces (the veth pair goes with them). */
	@Override
	public void close() {
		quietly("netns", "del", leftName());
		quietly("netns", "del", rightName());
	}

	private static long inode(Path path) {
		try {
			return (Long) Files.getAttribute(path, "unix:ino");
		} catch (IOException e) {
			throw new TracePacketsException("cannot stat " + path + ": " + e.getMessage(), e);
		}
	}

	/**
	 * Runs {@code ip args...}, failing with its output on a non-zero exit.
	 *
	 * @param args the arguments after {@code ip}, e.g. {@code "-n", "blue", "addr"}
	 * @return what it printed, standard output and error together
	 * @throws TracePacketsException on a non-zero exit (with a hint to run as root when it was
	 *     refused), or when {@code ip} cannot be started
	 */
	public static String ip(String... args) {
		List<String> command = new ArrayList<>();
		command.add("ip");
		command.addAll(List.of(args));
		Path log = null;
		try {
			// Output goes to a file, not a pipe: a command that leaves a child holding the pipe open
			// (a server started in the background) must not block past the time limit.
			log = Files.createTempFile("tracepackets-exec", ".log");
			Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
					.start();
			boolean exited = process.waitFor(30, TimeUnit.SECONDS);
			String output = Files.readString(log, StandardCharsets.UTF_8);
			if (!exited) {
				process.destroyForcibly();
				throw new TracePacketsException(String.join(" ", command) + " did not exit within 30 s: "
						+ output.strip());
			}
			if (process.exitValue() != 0) {
				throw new TracePacketsException(String.join(" ", command) + " exited " + process.exitValue() + ": "
						+ output.strip() + (output.contains("Operation not permitted") ? " (run as root)" : ""));
			}
			return output;
		} catch (IOException e) {
			throw new TracePacketsException(String.join(" ", command) + ": " + e.getMessage()
					+ " (is iproute2 installed?)", e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new TracePacketsException(String.join(" ", command) + " interrupted", e);
		} finally {
			if (log != null) {
				try {
					Files.deleteIfExists(log);
				} catch (IOException ignored) {
					// a temporary file left in /tmp
				}
			}
		}
	}

	static void quietly(String... args) {
		try {
			ip(args);
		} catch (TracePacketsException ignored) {
			// already gone: nothing to clean
		}
	}
}
