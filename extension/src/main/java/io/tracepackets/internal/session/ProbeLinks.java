package io.tracepackets.internal.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The links a session attached, and their detaching. Each kernel-function link's release waits
 * for an RCU grace period (kprobes: synchronize_rcu; fentry trampolines: RCU tasks), so one after
 * the other, 1,500 of them take minutes; closed from many threads at once, the kernel lets their
 * waits share grace periods. Tracepoint links, a handful, are closed in reverse attach order.
 */
final class ProbeLinks {

	private static final Logger LOG = LoggerFactory.getLogger(ProbeLinks.class);
	/** Threads that close function links at once: enough to overlap grace periods, few enough to be cheap. */
	private static final int DETACH_THREADS = 64;

	/** Tracepoint links, in attach order. */
	private final List<AutoCloseable> tracepoints = new ArrayList<>();
	/** Kernel-function links (copy programs included): hundreds to thousands. */
	private final List<AutoCloseable> functions = new ArrayList<>();
	private volatile Duration detachTime = Duration.ZERO;

	void addTracepoint(AutoCloseable link) {
		tracepoints.add(link);
	}

	void addFunctions(List<AutoCloseable> links) {
		functions.addAll(links);
	}

	void addFunction(AutoCloseable link) {
		functions.add(link);
	}

	/** Every link while attached: what {@link SkippedRuns} counts. */
	List<AutoCloseable> all() {
		List<AutoCloseable> all = new ArrayList<>(tracepoints);
		all.addAll(functions);
		return all;
	}

	/** How long the last {@link #closeAll()} that had links to close took. */
	Duration detachTime() {
		return detachTime;
	}

	/** Detaches every link. Idempotent: a second call finds none and keeps the first one's time. */
	void closeAll() {
		long started = System.nanoTime();
		boolean any = !tracepoints.isEmpty() || !functions.isEmpty();
		closeInParallel(functions);
		functions.clear();
		for (int i = tracepoints.size() - 1; i >= 0; i--) {
			close(tracepoints.get(i));
		}
		tracepoints.clear();
		if (any) {
			detachTime = Duration.ofNanos(System.nanoTime() - started);
		}
	}

	private static void closeInParallel(List<AutoCloseable> toClose) {
		if (toClose.size() < 2) {
			toClose.forEach(ProbeLinks::close);
			return;
		}
		int threads = Math.min(DETACH_THREADS, toClose.size());
		AtomicInteger next = new AtomicInteger();
		List<Thread> workers = new ArrayList<>(threads);
		for (int t = 0; t < threads; t++) {
			// Platform threads: a close is a blocking native call, which would pin a virtual thread anyway.
			workers.add(Thread.ofPlatform().name("tracepackets-detach-" + t).daemon().start(() -> {
				for (int i = next.getAndIncrement(); i < toClose.size(); i = next.getAndIncrement()) {
					close(toClose.get(i));
				}
			}));
		}
		for (Thread worker : workers) {
			try {
				worker.join();
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	static void close(AutoCloseable link) {
		try {
			link.close();
		} catch (Exception e) {
			LOG.warn("detach failed: {}", e.toString());
		}
	}
}
