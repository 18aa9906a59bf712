package io.tracepackets.internal.containers;

import io.tracepackets.internal.netns.NetworkNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Proves that a pid the engine reported is the container's process in this JVM's pid namespace.
 * <p>
 * The proof is the process's cgroup: the engine puts every process of a container into a cgroup
 * named after the container's id ({@code /docker/<id>} with cgroup v1 or the cgroupfs driver,
 * {@code .../docker-<id>.scope} with systemd; containerd's and Podman's name it the same way). The
 * path {@code /proc/<pid>/cgroup} shows is relative to the reader's cgroup namespace (cgroup v2 with
 * a private cgroupns shows {@code /../docker-<id>.scope}), so the id is looked for anywhere in it, and
 * a process whose cgroup names another container, or none, proves nothing. The start time of the
 * process, read before and after, proves that one process answered both reads: a pid freed and
 * reused in between fails the proof instead of lending its namespace.
 */
final class ContainerProcess {

	private ContainerProcess() {
	}

	/**
	 * The network namespace of process {@code pid} as {@code procRoot} shows it, when that process
	 * is in the cgroup of container {@code containerId}; empty when it is not, or is no process here.
	 */
	static Optional<NetworkNamespace> namespace(Path procRoot, long pid, String containerId, String label) {
		Path process = procRoot.resolve(Long.toString(pid));
		OptionalLong before = startTime(process);
		if (before.isEmpty() || !inCgroupOf(read(process.resolve("cgroup")), containerId)) {
			return Optional.empty();
		}
		Path netnsPath = process.resolve("ns/net");
		long inode;
		try {
			inode = (Long) Files.getAttribute(netnsPath, "unix:ino");
		} catch (IOException | RuntimeException e) {
			return Optional.empty();
		}
		if (!startTime(process).equals(before)) {
			return Optional.empty();
		}
		return NetworkNamespace.atPathIfInode(netnsPath, inode, label);
	}

	/** Whether a {@code /proc/<pid>/cgroup} text names the container's full id on any line. */
	static boolean inCgroupOf(String cgroupFile, String containerId) {
		// A 64-digit id cannot occur by chance; a short one could, in another id or a path.
		if (cgroupFile == null || containerId == null || containerId.length() < 64) {
			return false;
		}
		return cgroupFile.lines().anyMatch(line -> line.substring(line.indexOf(':', line.indexOf(':') + 1) + 1)
				.contains(containerId));
	}

	/** Field 22 of {@code /proc/<pid>/stat}: the start time in clock ticks after boot. */
	private static OptionalLong startTime(Path process) {
		String stat = read(process.resolve("stat"));
		if (stat == null) {
			return OptionalLong.empty();
		}
		// The command name (field 2) is in parentheses and may hold spaces or ')': count after the last.
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		try {
			return OptionalLong.of(Long.parseLong(fields[19]));
		} catch (RuntimeException e) {
			return OptionalLong.empty();
		}
	}

	private static String read(Path file) {
		try {
			return Files.readString(file);
		} catch (IOException | RuntimeException e) {
			return null;
		}
	}
}
