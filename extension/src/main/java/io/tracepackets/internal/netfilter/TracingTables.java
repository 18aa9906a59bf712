package io.tracepackets.internal.netfilter;

import io.tracepackets.internal.netns.NamespaceCommand;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nftables tables that turn the kernel's trace on in a namespace ({@code meta nftrace set 1}):
 * their names, which say whose they are, and the removal of those a killed JVM left behind. A JVM
 * that exits deletes its own; one killed with SIGKILL cannot, and its table keeps every packet of
 * a namespace that lives on (a container's) traced. So the first trace session of a JVM sweeps every
 * namespace it can reach, in the background, and each namespace a window scopes is swept before
 * its table is added.
 *
 * <p>A table is named {@code tracepackets_<pid>_<n>_<pid namespace>}: the pid alone would be
 * judged in the wrong pid namespace (CI job containers share one kernel, and so its network
 * namespaces, but each numbers its processes its own way), so a table is judged only by a JVM of
 * the pid namespace that made it. Tables named before the pid namespace was added
 * ({@code tracepackets_<pid>_<n>}) are judged by pid.
 */
public final class TracingTables {

	private static final Logger LOG = LoggerFactory.getLogger(TracingTables.class);
	private static final Pattern TABLE = Pattern.compile(
			"table inet (tracepackets_([0-9]{1,10})_[0-9]+(?:_([0-9]{1,20}))?)\\b");
	private static final AtomicInteger TABLES = new AtomicInteger();
	/**
	 * Namespaces (inodes) this JVM has looked for tables of killed JVMs in: once each is enough. An
	 * inode the kernel reuses for a namespace made later is not looked in again, which loses
	 * nothing: a namespace made after this JVM started holds no table of a JVM killed before.
	 */
	private static final Set<Long> SWEPT = ConcurrentHashMap.newKeySet();
	private static final AtomicReference<CompletableFuture<Void>> EVERY_NAMESPACE = new AtomicReference<>();
	private static final List<Path> NAMED_NETNS_DIRS = List.of(Path.of("/run/netns"), Path.of("/run/docker/netns"));
	private static final long OWN_PID_NAMESPACE = pidNamespace();

	private TracingTables() {
	}

	/** A name for a new tracing table of this JVM, unique in it. */
	static String newName() {
		return "tracepackets_" + ProcessHandle.current().pid() + "_" + TABLES.incrementAndGet() + "_"
				+ OWN_PID_NAMESPACE;
	}

	/**
	 * Deletes, once per namespace and JVM, the tracing tables a killed JVM left in {@code netns}:
	 * those of this pid namespace whose pid is no running process. A failure is logged, never thrown.
	 *
	 * @return the tables deleted
	 */
	static List<String> removeStale(NetworkNamespace netns) {
		return SWEPT.add(netns.inode()) ? removeStaleNow(netns) : List.of();
	}

	/**
	 * Sweeps every network namespace this JVM can reach (bind mounts under {@code /run/netns} and
	 * {@code /run/docker/netns}, every process's) for tables of killed JVMs, once per JVM, in the
	 * background: starting a trace does not wait for it. Says once what it deleted.
	 */
	public static void sweepEveryNamespace() {
		CompletableFuture<Void> sweep = new CompletableFuture<>();
		if (!EVERY_NAMESPACE.compareAndSet(null, sweep)) {
			return;
		}
		Thread.ofVirtual().name("tracepackets-table-sweep").start(() -> {
			try {
				Map<NetworkNamespace, List<String>> removed = new LinkedHashMap<>();
				for (NetworkNamespace netns : reachableNamespaces()) {
					List<String> tables = removeStale(netns);
					if (!tables.isEmpty()) {
						removed.put(netns, tables);
					}
				}
				if (!removed.isEmpty()) {
					LOG.info("deleted nftables tracing tables that killed JVMs left: {}", removed.entrySet().stream()
							.map(e -> e.getValue() + " in " + e.getKey().label()).toList());
				}
			} catch (RuntimeException e) {
				LOG.debug("sweep for tracing tables of killed JVMs stopped: {}", e.getMessage());
			} finally {
				sweep.complete(null);
			}
		});
	}

	/** Waits up to {@code timeout} for the background sweep, if one runs: a JVM that exits at once still sweeps. */
	public static void awaitSweep(Duration timeout) {
		CompletableFuture<Void> sweep = EVERY_NAMESPACE.get();
		if (sweep == null) {
			return;
		}
		try {
			sweep.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		} catch (TimeoutException e) {
			LOG.debug("sweep for tracing tables of killed JVMs still running after {}", timeout);
		} catch (ExecutionException e) {
			LOG.debug("sweep for tracing tables of killed JVMs failed: {}", e.getCause().toString());
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	/** As {@link #removeStale}, whether or not this JVM swept the namespace before. */
	static List<String> removeStaleNow(NetworkNamespace netns) {
		List<String> removed = new ArrayList<>();
		Matcher table;
		try {
			table = TABLE.matcher(NamespaceCommand.run(netns, null, "nft", "list", "tables", "inet"));
		} catch (RuntimeException e) {
			// nft may be missing, the namespace gone: the trace itself needs neither
			LOG.debug("tracing tables of killed JVMs in {} not looked for: {}", netns.label(), e.getMessage());
			return removed;
		}
		while (table.find()) {
			boolean samePidNamespace = table.group(3) == null || Long.parseLong(table.group(3)) == OWN_PID_NAMESPACE;
			if (samePidNamespace && ProcessHandle.of(Long.parseLong(table.group(2))).isEmpty()) {
				try {
					NamespaceCommand.run(netns, null, "nft", "delete", "table", "inet", table.group(1));
					removed.add(table.group(1));
				} catch (RuntimeException e) {
					// another JVM may have deleted it first
					LOG.debug("{} in {} not deleted: {}", table.group(1), netns.label(), e.getMessage());
				}
			}
		}
		if (!removed.isEmpty()) {
			LOG.info("deleted nftables tracing tables that killed JVMs left in {}: {}", netns.label(), removed);
		}
		return removed;
	}

	/** One entry per namespace (by inode) that a path this JVM can open leads to. */
	private static List<NetworkNamespace> reachableNamespaces() {
		Map<Long, NetworkNamespace> found = new LinkedHashMap<>();
		for (Path dir : NAMED_NETNS_DIRS) {
			for (Path entry : entries(dir)) {
				add(found, entry);
			}
		}
		for (Path process : entries(Path.of("/proc"))) {
			if (process.getFileName().toString().chars().allMatch(Character::isDigit)) {
				add(found, process.resolve("ns/net"));
			}
		}
		return List.copyOf(found.values());
	}

	private static void add(Map<Long, NetworkNamespace> found, Path path) {
		try {
			long inode = (Long) Files.getAttribute(path, "unix:ino");
			if (!found.containsKey(inode) && !SWEPT.contains(inode)) {
				NetworkNamespace.atPathIfInode(path, inode, "netns " + path).ifPresent(ns -> found.put(inode, ns));
			}
		} catch (IOException | RuntimeException e) {
			// a process that exited, a bind mount that went: nothing to sweep there
		}
	}

	private static List<Path> entries(Path dir) {
		List<Path> entries = new ArrayList<>();
		if (!Files.isDirectory(dir)) {
			return entries;
		}
		try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
			stream.forEach(entries::add);
		} catch (IOException | RuntimeException e) {
			LOG.debug("{} not listed: {}", dir, e.toString());
		}
		return entries;
	}

	/** The inode of this JVM's pid namespace, 0 when it cannot be read. */
	private static long pidNamespace() {
		try {
			return (Long) Files.getAttribute(Path.of("/proc/self/ns/pid"), "unix:ino");
		} catch (IOException | RuntimeException e) {
			return 0;
		}
	}
}
