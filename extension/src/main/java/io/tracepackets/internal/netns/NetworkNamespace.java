package io.tracepackets.internal.netns;

import io.tracepackets.TracePacketsException;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.ffi.Libc;
import io.tracepackets.internal.ffi.NativeException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Optional;

/**
 * Identifies one Linux network namespace: its nsfs inode (what BPF programs see as
 * {@code net->ns.inum}), a path that opens it for {@code setns}, and a label for messages.
 * <p>
 * Two values are equal when their inodes are. The kernel reuses inodes once a namespace is gone,
 * so a value is only meaningful while whatever holds the namespace (a process, a bind mount) lives.
 */
public final class NetworkNamespace {

	/** Bind-mount directories that hold namespaces without a process: ip netns, then docker. */
	private static final List<Path> NAMED_NETNS_DIRS = List.of(Path.of("/run/netns"), Path.of("/run/docker/netns"));

	/** CLONE_NEW* flags of linux/sched.h, as NS_GET_NSTYPE answers, by the name ls -l /proc/self/ns shows. */
	private static final Map<Integer, String> NAMESPACE_TYPES = Map.of(0x00020000, "mnt", 0x02000000, "cgroup",
			0x04000000, "uts", 0x08000000, "ipc", 0x10000000, "user", 0x20000000, "pid", 0x00000080, "time");

	private final long inode;
	/** Null when nothing this JVM can open leads to the namespace: then {@link #unreachable} says why. */
	private final Path path;
	private final String label;
	private final String unreachable;
	/** For a namespace this JVM cannot enter: what runs commands there instead, or null. */
	private final NamespaceEntry entry;

	private NetworkNamespace(long inode, Path path, String label) {
		this(inode, path, label, null, null);
	}

	private NetworkNamespace(long inode, Path path, String label, String unreachable, NamespaceEntry entry) {
		this.inode = inode;
		this.path = path;
		this.label = label;
		this.unreachable = unreachable;
		this.entry = entry;
	}

	/**
	 * A namespace known only by its inode, e.g. one an engine in another pid and mount namespace
	 * reported: its events can be scoped (the kernel's {@code net->ns.inum} is the same number
	 * everywhere on one kernel), but it cannot be entered, for {@code why}.
	 */
	public static NetworkNamespace unreachable(long inode, String label, String why) {
		return new NetworkNamespace(inode, null, label, why, null);
	}

	/**
	 * This namespace, which this JVM cannot enter, with {@code entry} to run commands in it (the
	 * nftables trace, rule listings, traffic tools); entering it still throws.
	 */
	public NetworkNamespace withEntry(NamespaceEntry newEntry) {
		return new NetworkNamespace(inode, path, label, unreachable, newEntry);
	}

	/** What runs commands in this namespace when this JVM cannot enter it; empty when it can, or nothing can. */
	public Optional<NamespaceEntry> entry() {
		return path == null ? Optional.ofNullable(entry) : Optional.empty();
	}

	/** Why this JVM cannot enter this namespace; null when it can. */
	public String whyUnreachable() {
		return path == null ? unreachable : null;
	}

	/**
	 * The namespace behind {@code path} when its inode is {@code inode}; empty when the path is
	 * missing, unreadable, or leads elsewhere.
	 */
	public static Optional<NetworkNamespace> atPathIfInode(Path path, long inode, String label) {
		try {
			if (((Long) Files.getAttribute(path, "unix:ino")) == inode) {
				return Optional.of(new NetworkNamespace(inode, path, label));
			}
		} catch (IOException | RuntimeException e) {
			// Not there, or not ours to read: it proves nothing.
		}
		return Optional.empty();
	}

	/** The same namespace with another label. */
	public NetworkNamespace relabel(String newLabel) {
		return new NetworkNamespace(inode, path, newLabel, unreachable, entry);
	}

	/** Whether this JVM can enter the namespace (through {@link #path()}). */
	public boolean reachable() {
		return path != null;
	}

	/**
	 * Throws when this JVM cannot enter the namespace, saying why and what cannot be done.
	 *
	 * @throws TracingUnavailableException naming what was asked ({@code what}, a phrase the label ends, e.g. {@code "running code in"}) and why it cannot be
	 */
	public void requireReachable(String what) {
		if (path == null) {
			throw new TracingUnavailableException(what + " " + label, unreachable);
		}
	}

	/** The namespace of process {@code pid}, through {@code /proc/<pid>/ns/net}. */
	public static NetworkNamespace ofPid(long pid) {
		return ofPid(pid, "process " + pid);
	}

	/**
	 * The namespace of process {@code pid}, labelled for messages (e.g. {@code "container web (pid
	 * 4242)"}).
	 */
	public static NetworkNamespace ofPid(long pid, String label) {
		if (pid <= 0) {
			throw new TracePacketsException(label + " is not running (pid " + pid + ")");
		}
		Path path = Path.of("/proc", Long.toString(pid), "ns", "net");
		return new NetworkNamespace(inodeOf(path, label), path, label);
	}

	/**
	 * The namespace behind a path such as {@code /run/netns/blue} (made by {@code ip netns add blue}).
	 *
	 * @throws TracePacketsException when the path is not a network namespace: a regular file (as a
	 *     stale {@code /run/netns} entry is once its namespace was unmounted), a directory, or another
	 *     kind of namespace ({@code /proc/<pid>/ns/mnt}); its inode would scope nothing, and every
	 *     negative assertion would pass
	 */
	public static NetworkNamespace ofPath(Path path) {
		long inode = inodeOf(path, path.toString());
		checkIsNetworkNamespace(path);
		return new NetworkNamespace(inode, path, path.toString());
	}

	private static void checkIsNetworkNamespace(Path path) {
		OptionalInt type;
		int fd;
		try {
			fd = Libc.openReadOnly(path.toString());
		} catch (NativeException e) {
			throw new TracePacketsException("cannot open " + path + " to check that it is a network namespace: "
					+ e.getMessage(), e);
		}
		try {
			type = Libc.namespaceType(fd, path.toString());
		} finally {
			Libc.close(fd);
		}
		if (type.isPresent() && type.getAsInt() == Libc.CLONE_NEWNET) {
			return;
		}
		String what;
		if (type.isPresent()) {
			String name = NAMESPACE_TYPES.getOrDefault(type.getAsInt(), "type 0x" + Integer.toHexString(type.getAsInt()));
			what = "it is a " + name + " namespace, not a network one (a process's is /proc/<pid>/ns/net)";
		} else if (Files.isDirectory(path)) {
			what = "it is a directory";
		} else if (Files.isRegularFile(path)) {
			what = "it is a regular file: a namespace's bind mount that is gone leaves one (ip netns delete, or an"
					+ " unmount, removed the namespace; add it again with ip netns add, or scope the live one)";
		} else {
			what = "it is not a namespace file (nsfs)";
		}
		throw new TracePacketsException(path + " is not a network namespace: " + what
				+ ". Scope a file that opens one: /run/netns/<name> (ip netns add) or /proc/<pid>/ns/net.");
	}

	/**
	 * The namespace with this inode, located by scanning {@code /run/netns}, docker's netns
	 * directory and every {@code /proc/<pid>/ns/net}.
	 *
	 * @throws TracePacketsException when nothing on the machine holds such a namespace
	 */
	public static NetworkNamespace ofInode(long inode) {
		return find(inode).orElseThrow(() -> new TracePacketsException("no network namespace with inode " + inode
				+ " is held by a process or a bind mount under /run/netns or /run/docker/netns (is it gone?)"));
	}

	/** Like {@link #ofInode} but empty when the namespace cannot be found. */
	public static Optional<NetworkNamespace> find(long inode) {
		for (Path dir : NAMED_NETNS_DIRS) {
			Optional<Path> found = scan(dir, inode, false);
			if (found.isPresent()) {
				return Optional.of(new NetworkNamespace(inode, found.get(), found.get().toString()));
			}
		}
		return scan(Path.of("/proc"), inode, true).map(
				path -> new NetworkNamespace(inode, path, "netns inode " + inode + " (pid " + path.getName(1) + ")"));
	}

	/**
	 * The host's namespace: that of pid 1, or, when a sandbox hides pid 1's namespace, that of
	 * kthreadd (pid 2), since kernel threads always live in the initial namespace.
	 */
	public static NetworkNamespace host() {
		try {
			return ofPid(1, "host");
		} catch (TracingUnavailableException e) {
			if (isKthreadd(2)) {
				return ofPid(2, "host");
			}
			throw e;
		}
	}

	/**
	 * The namespace of this JVM (of its main thread: a thread moved by {@link NetnsRunner} does not
	 * change it).
	 */
	public static NetworkNamespace current() {
		return ofPid(ProcessHandle.current().pid(), "this JVM");
	}

	/** The inode of the namespace the calling thread is in right now. */
	public static long currentThreadInode() {
		return inodeOf(Path.of("/proc/thread-self/ns/net"), "the current thread");
	}

	/** The nsfs inode, as the kernel's {@code net->ns.inum}. */
	public long inode() {
		return inode;
	}

	/**
	 * A path that opens this namespace: {@code /proc/<pid>/ns/net} or a bind mount.
	 *
	 * @throws TracingUnavailableException when nothing this JVM can open leads to it
	 */
	public Path path() {
		requireReachable("entering the network namespace of");
		return path;
	}

	/** What to call this namespace in messages, e.g. {@code "container web (pid 4242)"}. */
	public String label() {
		return label;
	}

	/** Whether {@link #path()} still leads to this namespace (the process may have exited). */
	public boolean isAlive() {
		if (path == null) {
			return false;
		}
		try {
			return ((Long) Files.getAttribute(path, "unix:ino")) == inode;
		} catch (IOException | RuntimeException e) {
			return false;
		}
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof NetworkNamespace that && that.inode == inode;
	}

	@Override
	public int hashCode() {
		return Long.hashCode(inode);
	}

	@Override
	public String toString() {
		return label + " [net:" + inode + "]";
	}

	/**
	 * Reads the nsfs inode behind {@code path}, turning a missing path into "not running" and a
	 * refused one into "run as root".
	 */
	static long inodeOf(Path path, String label) {
		try {
			return (Long) Files.getAttribute(path, "unix:ino");
		} catch (NoSuchFileException e) {
			throw new TracePacketsException(label + " is not running: " + path + " does not exist", e);
		} catch (AccessDeniedException e) {
			throw new TracingUnavailableException("network namespace of " + label,
					"reading " + path + " needs root: run as root (sudo)", e);
		} catch (IOException e) {
			throw new TracePacketsException("cannot read the network namespace of " + label + " at " + path + ": " + e,
					e);
		}
	}

	private static boolean isKthreadd(long pid) {
		try {
			return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip().equals("kthreadd");
		} catch (IOException e) {
			return false;
		}
	}

	/** The first {@code <dir>/<entry>} (or {@code <dir>/<pid>/ns/net}) whose inode matches. */
	private static Optional<Path> scan(Path dir, long inode, boolean procfs) {
		if (!Files.isDirectory(dir)) {
			return Optional.empty();
		}
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
			for (Path entry : entries) {
				String name = entry.getFileName().toString();
				if (procfs && !name.chars().allMatch(Character::isDigit)) {
					continue;
				}
				Path candidate = procfs ? entry.resolve("ns/net") : entry;
				try {
					if (((Long) Files.getAttribute(candidate, "unix:ino")) == inode) {
						return Optional.of(candidate);
					}
				} catch (IOException | RuntimeException e) {
					// Processes exit and mounts go while we scan; such an entry is simply not a match.
				}
			}
		} catch (IOException e) {
			return Optional.empty();
		}
		return Optional.empty();
	}
}
