package io.tracepackets.internal.netns;

import io.tracepackets.TracePacketsException;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.ffi.Errno;
import io.tracepackets.internal.ffi.Libc;
import io.tracepackets.internal.ffi.NativeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.LoggerFactory;

/**
 * Runs code inside another network namespace, so that sockets it creates belong there.
 * <p>
 * Linux switches namespaces per thread ({@code setns} moves only the caller), so each call runs on
 * a platform thread of its own for the call's duration, which enters the namespace, runs the task,
 * and moves back to its original namespace. The threads are pooled (a test scopes namespaces in
 * every window: starting a thread each time was a good part of that cost); one that cannot move
 * back ends instead of serving again, and an idle one, back in the JVM's namespace, holds no
 * namespace of a test's alive. Sockets keep the namespace they were created in, so a socket made
 * here may be used from any thread afterwards.
 */
public final class NetnsRunner {

	/** How long {@link #call(NetworkNamespace, Callable)} waits for a task by default. */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

	/**
	 * Daemon platform threads, made as calls need them (a task that overran its timeout keeps its
	 * thread; the next call gets another) and ended after a minute unused.
	 */
	private static final ExecutorService THREADS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
			new SynchronousQueue<>(), Thread.ofPlatform().name("tracepackets-netns-", 0).daemon(true)
					.uncaughtExceptionHandler((thread, e) -> LoggerFactory.getLogger(NetnsRunner.class).warn("{}: {}",
							thread.getName(), e.getMessage()))
					.factory());

	private NetnsRunner() {
	}

	/**
	 * The JVM's network namespace (its first thread's, which nothing moves), where a pooled thread
	 * goes back after each task rather than to its own: a thread made by a call from inside another
	 * namespace was born there, and kept idle there it would keep that namespace alive. Opened once
	 * for the JVM's life.
	 */
	private static final class JvmNamespace {
		static final int FD = Libc.openReadOnly("/proc/self/ns/net");
		static final long INODE = NetworkNamespace.inodeOf(Path.of("/proc/self/ns/net"), "this JVM");
	}

	/** Runs {@code task} inside {@code netns}, waiting at most {@link #DEFAULT_TIMEOUT}. */
	public static <T> T call(NetworkNamespace netns, Callable<T> task) {
		return call(netns, task, DEFAULT_TIMEOUT);
	}

	/** Runs {@code task} inside {@code netns}, waiting at most {@link #DEFAULT_TIMEOUT}. */
	public static void run(NetworkNamespace netns, Runnable task) {
		call(netns, () -> {
			task.run();
			return null;
		}, DEFAULT_TIMEOUT);
	}

	/**
	 * Runs {@code task} inside {@code netns} and returns its result. Runtime exceptions of the task
	 * are rethrown as they are; checked ones are wrapped in a {@link TracePacketsException}.
	 *
	 * @throws TracingUnavailableException when this process may not enter namespaces (not root)
	 * @throws TracePacketsException when the namespace is gone or the task overruns {@code timeout}
	 */
	public static <T> T call(NetworkNamespace netns, Callable<T> task, Duration timeout) {
		// Already there (typically: the host namespace from a test thread): no thread, no setns.
		if (NetworkNamespace.currentThreadInode() == netns.inode()) {
			return callInline(netns, task);
		}
		netns.requireReachable("running code in");
		CompletableFuture<T> result = new CompletableFuture<>();
		Call call = new Call();
		try {
			THREADS.execute(() -> call.run(() -> runInside(netns, task, result)));
		} catch (RejectedExecutionException e) {
			throw new TracePacketsException("no thread to run a task inside " + netns + ": " + e.getMessage(), e);
		}
		try {
			return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		} catch (TimeoutException e) {
			call.interrupt();
			throw new TracePacketsException("task inside " + netns + " did not finish within " + timeout, e);
		} catch (InterruptedException e) {
			call.interrupt();
			Thread.currentThread().interrupt();
			throw new TracePacketsException("interrupted while waiting for a task inside " + netns, e);
		} catch (ExecutionException e) {
			throw unwrap(netns, e.getCause());
		}
	}

	/**
	 * Runs {@code task} inside {@code netns} on the calling thread, which enters the namespace and
	 * comes back: for a short task that cannot block (sockets opened, a request answered at once),
	 * where handing it to a pooled thread and waiting to be woken costs more than the task itself;
	 * every test window joins its namespaces' nftables trace this way. A virtual thread (whose
	 * carrier must not move) or a thread outside the JVM's namespace (which would not be brought
	 * back where it was) has the task run as {@link #call(NetworkNamespace, Callable)} runs it.
	 *
	 * @throws TracePacketsException when the namespace is gone, or the task throws a checked exception
	 */
	public static <T> T callOnThisThread(NetworkNamespace netns, Callable<T> task) {
		long here = NetworkNamespace.currentThreadInode();
		if (here == netns.inode()) {
			return callInline(netns, task);
		}
		if (Thread.currentThread().isVirtual() || here != JvmNamespace.INODE) {
			return call(netns, task);
		}
		netns.requireReachable("running code in");
		int target = open(netns);
		try {
			enter(netns, target);
		} finally {
			Libc.close(target);
		}
		T value;
		try {
			value = callInline(netns, task);
		} finally {
			try {
				Libc.setns(JvmNamespace.FD, Libc.CLONE_NEWNET, "back to the JVM's network namespace");
			} catch (RuntimeException e) {
				// Whatever this thread did next would happen in the test's namespace: stop it here.
				throw new StrandedThread(netns);
			}
		}
		return value;
	}

	/**
	 * One call's hold on its pooled thread: the caller may interrupt the task while it runs, and
	 * never the thread's next task.
	 */
	private static final class Call {
		private Thread thread;
		private boolean done;

		void run(Runnable body) {
			synchronized (this) {
				if (done) {
					return; // interrupted before it started: nothing to run
				}
				thread = Thread.currentThread();
			}
			try {
				body.run();
			} finally {
				synchronized (this) {
					done = true;
					thread = null;
					Thread.interrupted();
				}
			}
		}

		synchronized void interrupt() {
			if (thread != null) {
				thread.interrupt();
			}
			done = true;
		}
	}

	private static <T> T callInline(NetworkNamespace netns, Callable<T> task) {
		try {
			return task.call();
		} catch (RuntimeException e) {
			throw e;
		} catch (Exception e) {
			throw new TracePacketsException("task inside " + netns + " failed: " + e, e);
		}
	}

	/**
	 * The body of a call on a pooled thread: enter, run, always leave. A thread that could not
	 * move back ends (its task throws {@link StrandedThread} past the pool, which replaces it): it
	 * must never run another task in the wrong namespace.
	 */
	private static <T> void runInside(NetworkNamespace netns, Callable<T> task, CompletableFuture<T> result) {
		int target = -1;
		boolean entered = false;
		try {
			target = open(netns);
			enter(netns, target);
			entered = true;
			Throwable failure = null;
			T value = null;
			try {
				value = task.call();
			} catch (Throwable t) {
				failure = t;
			}
			try {
				Libc.setns(JvmNamespace.FD, Libc.CLONE_NEWNET, "back to the JVM's network namespace");
				entered = false;
			} catch (RuntimeException e) {
				if (failure == null) {
					failure = e;
				} else {
					failure.addSuppressed(e);
				}
			}
			if (failure != null) {
				result.completeExceptionally(failure);
			} else {
				result.complete(value);
			}
		} catch (Throwable t) {
			result.completeExceptionally(t);
		} finally {
			if (target >= 0) {
				Libc.close(target);
			}
		}
		if (entered) {
			throw new StrandedThread(netns);
		}
	}

	/** Ends a pooled thread that is still inside another namespace. */
	private static final class StrandedThread extends Error {
		private static final long serialVersionUID = 1L;

		StrandedThread(NetworkNamespace netns) {
			super("a thread could not leave " + netns + " and ends");
		}
	}

	/** Opens {@code netns} and checks that its path still leads to the same namespace. */
	private static int open(NetworkNamespace netns) {
		int fd;
		try {
			fd = Libc.openReadOnly(netns.path().toString());
		} catch (NativeException e) {
			throw explain(netns, e);
		}
		// A process that exited may have left its pid to another one, in another namespace.
		if (!netns.isAlive()) {
			Libc.close(fd);
			throw new TracePacketsException(netns.label() + " is not running any more: " + netns.path()
					+ " no longer leads to network namespace " + netns.inode());
		}
		return fd;
	}

	private static void enter(NetworkNamespace netns, int fd) {
		try {
			Libc.setns(fd, Libc.CLONE_NEWNET, "into " + netns);
		} catch (NativeException e) {
			throw explain(netns, e);
		}
	}

	/** Turns open/setns errno values into messages that say what to do. */
	static TracePacketsException explain(NetworkNamespace netns, NativeException e) {
		return switch (e.errno()) {
			case Errno.EPERM, Errno.EACCES -> new TracingUnavailableException("entering " + netns,
					"setns needs CAP_SYS_ADMIN: run as root (sudo) (" + e.getMessage() + ")", e);
			case Errno.ENOENT, Errno.ESRCH -> new TracePacketsException(
					netns.label() + " is not running: " + netns.path() + " is gone (" + e.getMessage() + ")", e);
			default -> new TracePacketsException("cannot enter " + netns + ": " + e.getMessage(), e);
		};
	}

	private static RuntimeException unwrap(NetworkNamespace netns, Throwable cause) {
		if (cause instanceof RuntimeException e) {
			return e;
		}
		if (cause instanceof Error e) {
			throw e;
		}
		return new TracePacketsException("task inside " + netns + " failed: " + cause, cause);
	}
}
