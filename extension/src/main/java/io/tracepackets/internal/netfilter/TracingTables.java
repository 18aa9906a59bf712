package io.tracepackets.internal.netfilter;

import io.tracepackets.TracePacketsException;
import io.tracepackets.internal.ffi.Errno;
import io.tracepackets.internal.ffi.Libc;
import io.tracepackets.internal.ffi.NativeException;
import io.tracepackets.internal.ffi.Netlink;
import io.tracepackets.internal.netns.NamespaceCommand;
import io.tracepackets.internal.netns.NetnsRunner;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
 * the one this JVM keeps in each namespace its windows scope, their names, which say whose they
 * are, and the removal of those a killed JVM left behind.
 *
 * <p><b>Kept, not made per test.</b> Deleting a table unregisters its hooks, and the kernel then
 * waits for an RCU grace period (milliseconds, tens on a busy machine): a table per test window
 * made that every test's cost. So a namespace's table is made by the first window that scopes it
 * ({@link #use}) and kept while windows use it, and for {@link #LINGER} after the last one closed
 * ({@link #release}), so the next test on the same namespace finds it; then a background thread
 * deletes it. Between tests it only sets a flag on the namespace's packets: with no trace socket
 * joined, the kernel builds no trace message. A window checks at every start that the table is
 * still there (a test may flush the ruleset) and makes another one if not. Nothing is held in the
 * namespace meanwhile (a socket would keep a namespace its test deleted alive, with its devices):
 * a namespace deleted with its table takes the table along, and the deletion then finds nothing
 * to do. A closing trace session deletes every idle table ({@link #deleteIdle}), and a shutdown
 * hook whatever is left when the JVM exits.
 *
 * <p><b>Killed JVMs.</b> One killed with SIGKILL runs no hook, and its table keeps every packet of a
 * namespace that lives on (a container's) traced. So the first trace session of a JVM sweeps every
 * namespace it can reach, in the background, and each window sweeps the namespace it scopes.
 *
 * <p>A table is named {@code tracepackets_<pid>_<n>_<pid namespace>}: the pid alone would be
 * judged in the wrong pid namespace (CI job containers share one kernel, and so its network
 * namespaces, but each numbers its processes its own way), so a table is judged only by a JVM of
 * the pid namespace that made it. Tables named before the pid namespace was added
 * ({@code tracepackets_<pid>_<n>}) are judged by pid.
 */
public final class TracingTables {

	private static final Logger LOG = LoggerFactory.getLogger(TracingTables.class);
	private static final String PREFIX = "tracepackets_";
	private static final Pattern NAME = Pattern.compile(
			"tracepackets_([0-9]{1,10})_[0-9]+(?:_([0-9]{1,20}))?");
	private static final Pattern TABLE = Pattern.compile("table inet (" + NAME.pattern() + ")\\b");
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
	private static final long OWN_PID = ProcessHandle.current().pid();

	/**
	 * How long a table stays after its namespace's last window closed: longer than the gap between
	 * two tests of one class (which scope the same containers), short enough that a namespace a run
	 * stopped tracing soon carries no table of ours.
	 */
	static final Duration LINGER = Duration.ofSeconds(10);
	/** How long the shutdown hook may take over the tables left, so that a JVM's exit is never held up for long. */
	private static final Duration AT_EXIT = Duration.ofSeconds(5);

	/** The table kept in each namespace, by netns inode; guarded by itself. */
	private static final Map<Long, Kept> KEPT = new HashMap<>();
	/** The thread deleting tables whose linger ran out; null when none runs. Guarded by {@link #KEPT}. */
	private static Thread reaper;
	/** Guarded by {@link #KEPT}. */
	private static boolean shutdownHookAdded;

	/** A table this JVM keeps in {@code netns} (the handle last used to reach it), and the windows using it. */
	private static final class Kept {
		private NetworkNamespace netns;
		private final String table;
		private int users;
		private long idleSince;

		private Kept(NetworkNamespace netns, String table, int users) {
			this.netns = netns;
			this.table = table;
			this.users = users;
		}
	}

	private TracingTables() {
	}

	/** A name for a new tracing table of this JVM, unique in it. */
	static String newName() {
		return PREFIX + OWN_PID + "_" + TABLES.incrementAndGet() + "_" + OWN_PID_NAMESPACE;
	}

	/** Whether {@code table} is a tracing table (this JVM's or another's): its traces are no verdict of the user's. */
	static boolean isTracingTable(String table) {
		return table != null && NAME.matcher(table).matches();
	}

	/**
	 * The tracing table of {@code netns} for one more window: the one kept there if it still
	 * exists, else a new one, added now. Runs inside the namespace: {@code requests} is a netlink
	 * socket of it. Deletes, on the way, the tables of killed JVMs the listing shows.
	 *
	 * @return the table's name; each call is paired with a {@link #release}
	 * @throws RuntimeException when the namespace's tables cannot be listed or the table not added
	 */
	static String use(NetworkNamespace netns, int requests) {
		synchronized (KEPT) {
			// Under the lock: two windows opening on one namespace must not both find no table and add two.
			List<String> tables = NfTablesBatch.tableNames(
					Netlink.dump(requests, NfTablesBatch.listTables(), "list tables inet"));
			deleteStale(netns, requests, tables);
			Kept kept = KEPT.get(netns.inode());
			if (kept != null && tables.contains(kept.table)) {
				kept.users++;
				kept.netns = netns;
				return kept.table;
			}
			// None yet, or gone: the ruleset was flushed, or the inode is another namespace's now.
			String table = newName();
			submit(requests, NfTablesBatch.createTracingTable(table), "add table inet " + table);
			KEPT.put(netns.inode(), new Kept(netns, table, kept == null ? 1 : kept.users + 1));
			addShutdownHook();
			return table;
		}
	}

	/** One window of {@code netns} is done with its table: the last one's close starts the linger. */
	static void release(NetworkNamespace netns) {
		synchronized (KEPT) {
			Kept kept = KEPT.get(netns.inode());
			if (kept == null || kept.users == 0) {
				return;
			}
			if (--kept.users == 0) {
				kept.idleSince = System.nanoTime();
				if (reaper == null) {
					reaper = Thread.ofVirtual().name("tracepackets-table-reaper").start(TracingTables::reap);
				}
			}
		}
	}

	/** The name of the table this JVM keeps in the namespace with {@code inode}, if any (for tests). */
	static java.util.Optional<String> kept(long inode) {
		synchronized (KEPT) {
			return java.util.Optional.ofNullable(KEPT.get(inode)).map(kept -> kept.table);
		}
	}

	/**
	 * Deletes now every table no window uses: a trace session that closes leaves no table behind
	 * (another session's window adds its own again). Failures are logged, never thrown.
	 */
	public static void deleteIdle() {
		List<Kept> idle = new ArrayList<>();
		synchronized (KEPT) {
			KEPT.values().removeIf(kept -> kept.users == 0 && idle.add(kept));
		}
		idle.forEach(kept -> delete(kept, NetnsRunner.DEFAULT_TIMEOUT));
	}

	/** The background thread's loop: deletes each table whose linger ran out, until none is idle. */
	private static void reap() {
		while (true) {
			List<Kept> due = new ArrayList<>();
			long wait;
			synchronized (KEPT) {
				long now = System.nanoTime();
				long next = Long.MAX_VALUE;
				for (java.util.Iterator<Kept> it = KEPT.values().iterator(); it.hasNext();) {
					Kept kept = it.next();
					if (kept.users > 0) {
						continue;
					}
					long left = kept.idleSince + LINGER.toNanos() - now;
					if (left <= 0) {
						due.add(kept);
						it.remove();
					} else {
						next = Math.min(next, left);
					}
				}
				if (due.isEmpty() && next == Long.MAX_VALUE) {
					reaper = null;
					return;
				}
				wait = due.isEmpty() ? next : 0;
			}
			due.forEach(kept -> delete(kept, NetnsRunner.DEFAULT_TIMEOUT));
			if (wait > 0) {
				try {
					Thread.sleep(Duration.ofNanos(wait));
				} catch (InterruptedException e) {
					synchronized (KEPT) {
						reaper = null;
					}
					return;
				}
			}
		}
	}

	/** Once per JVM: at exit, whatever tables are left are deleted, within {@link #AT_EXIT}. */
	private static void addShutdownHook() {
		if (shutdownHookAdded) {
			return;
		}
		shutdownHookAdded = true;
		try {
			Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("tracepackets-tables-at-exit")
					.unstarted(TracingTables::deleteAllAtExit));
		} catch (IllegalStateException e) {
			// The JVM is exiting already: the hooks that run now cannot be added to.
			LOG.debug("no shutdown hook for the tracing tables: {}", e.getMessage());
		}
	}

	private static void deleteAllAtExit() {
		List<Kept> left;
		synchronized (KEPT) {
			left = new ArrayList<>(KEPT.values());
			KEPT.clear();
		}
		long deadline = System.nanoTime() + AT_EXIT.toNanos();
		for (Kept kept : left) {
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0) {
				LOG.warn("tracing tables not deleted at exit (no time left): {}; the next JVM's first trace session"
						+ " deletes them", left.stream().map(k -> k.table + " in " + k.netns.label()).toList());
				return;
			}
			delete(kept, Duration.ofNanos(remaining));
		}
	}

	/**
	 * Deletes a kept table, unless its namespace is gone (the table with it) or the table is (a
	 * flushed ruleset). Other failures are logged: the next JVM's sweep deletes what stays.
	 */
	private static void delete(Kept kept, Duration timeout) {
		NetworkNamespace netns = kept.netns;
		if (!netns.isAlive()) {
			return;
		}
		try {
			NetnsRunner.call(netns, () -> {
				int requests = Netlink.openRequests(Netlink.NETLINK_NETFILTER);
				try {
					submit(requests, NfTablesBatch.deleteTable(kept.table), "delete table inet " + kept.table);
				} catch (NativeException e) {
					if (e.errno() != Errno.ENOENT) {
						throw e;
					}
				} finally {
					Libc.close(requests);
				}
				return null;
			}, timeout);
		} catch (RuntimeException e) {
			if (netns.isAlive()) {
				LOG.warn("could not delete the tracing table {} in {}: {}", kept.table, netns.label(), e.getMessage());
			}
		}
	}

	/** Sends an nf_tables batch and fails with the first error the kernel acknowledged. */
	static void submit(int socket, byte[] batch, String what) {
		List<Integer> codes = Netlink.request(socket, batch, what);
		for (int code : codes) {
			if (code < 0) {
				throw new NativeException(what, -code);
			}
		}
		if (codes.size() < NfTablesBatch.acknowledgements(batch)) {
			throw new TracePacketsException(what + ": the kernel acknowledged " + codes.size() + " of "
					+ NfTablesBatch.acknowledgements(batch) + " requests");
		}
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

	/**
	 * As {@link #removeStale}, whether or not this JVM swept the namespace before: through netlink
	 * from inside the namespace, or with {@code nft} through the namespace's entry when this JVM
	 * cannot enter it.
	 */
	static List<String> removeStaleNow(NetworkNamespace netns) {
		try {
			if (netns.entry().isEmpty()) {
				return NetnsRunner.call(netns, () -> {
					int requests = Netlink.openRequests(Netlink.NETLINK_NETFILTER);
					try {
						return deleteStale(netns, requests, NfTablesBatch.tableNames(
								Netlink.dump(requests, NfTablesBatch.listTables(), "list tables inet")));
					} finally {
						Libc.close(requests);
					}
				});
			}
			return removeStaleThroughEntry(netns);
		} catch (RuntimeException e) {
			// no nf_tables, the namespace gone: the trace itself needs neither
			LOG.debug("tracing tables of killed JVMs in {} not looked for: {}", netns.label(), e.getMessage());
			return List.of();
		}
	}

	/** Of {@code tables}, listed in {@code netns}, deletes those of gone JVMs through {@code requests}, a socket there. */
	private static List<String> deleteStale(NetworkNamespace netns, int requests, List<String> tables) {
		SWEPT.add(netns.inode());
		List<String> removed = new ArrayList<>();
		for (String table : tables) {
			if (isStale(table)) {
				try {
					submit(requests, NfTablesBatch.deleteTable(table), "delete table inet " + table);
					removed.add(table);
				} catch (RuntimeException e) {
					// another JVM may have deleted it first
					LOG.debug("{} in {} not deleted: {}", table, netns.label(), e.getMessage());
				}
			}
		}
		if (!removed.isEmpty()) {
			LOG.info("deleted nftables tracing tables that killed JVMs left in {}: {}", netns.label(), removed);
		}
		return removed;
	}

	/** A tracing table of this pid namespace (or named before pid namespaces were) whose JVM runs no more. */
	private static boolean isStale(String table) {
		Matcher name = NAME.matcher(table);
		if (!name.matches()) {
			return false;
		}
		boolean samePidNamespace = name.group(2) == null || Long.parseLong(name.group(2)) == OWN_PID_NAMESPACE;
		long pid = Long.parseLong(name.group(1));
		// This JVM's own tables (the one a window reuses is listed at every window's start) need no lookup.
		return samePidNamespace && pid != OWN_PID && ProcessHandle.of(pid).isEmpty();
	}

	/** {@link #removeStaleNow} where this JVM cannot enter the namespace: {@code nft} run through its entry. */
	private static List<String> removeStaleThroughEntry(NetworkNamespace netns) {
		List<String> removed = new ArrayList<>();
		Matcher table = TABLE.matcher(NamespaceCommand.run(netns, null, "nft", "list", "tables", "inet"));
		while (table.find()) {
			if (isStale(table.group(1))) {
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
