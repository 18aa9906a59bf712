package io.tracepackets.internal.netfilter;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the nftables trace sockets of every open window every {@value #POLL_MILLIS} ms: a socket
 * left unread fills up under traffic, and the kernel then drops the very traces that name the
 * rules. One thread serves every window of the JVM and stays {@link #LINGER} after the last one
 * closed, for the next test: a thread started and stopped per window was a tenth of a window's cost.
 */
final class TraceSocketPoller {

	private static final Logger LOG = LoggerFactory.getLogger(TraceSocketPoller.class);
	static final long POLL_MILLIS = 2;
	private static final long LINGER = Duration.ofSeconds(10).toNanos();

	private static final Set<RuleTracing> OPEN = ConcurrentHashMap.newKeySet();
	private static final Object LOCK = new Object();
	/** The polling thread; null when none runs. Guarded by {@link #LOCK}. */
	private static Thread thread;

	private TraceSocketPoller() {
	}

	/** Polls {@code tracing}'s sockets from now until {@link #stop}. */
	static void start(RuleTracing tracing) {
		OPEN.add(tracing);
		synchronized (LOCK) {
			if (thread == null) {
				thread = Thread.ofPlatform().daemon().name("tracepackets-nftrace").start(TraceSocketPoller::run);
			}
		}
	}

	static void stop(RuleTracing tracing) {
		OPEN.remove(tracing);
	}

	private static void run() {
		long idleSince = System.nanoTime();
		while (true) {
			try {
				Thread.sleep(POLL_MILLIS);
			} catch (InterruptedException e) {
				synchronized (LOCK) {
					thread = null;
				}
				return;
			}
			if (OPEN.isEmpty()) {
				synchronized (LOCK) {
					// under the lock: a window starting now either is seen here or starts another thread
					if (OPEN.isEmpty() && System.nanoTime() - idleSince > LINGER) {
						thread = null;
						return;
					}
				}
				continue;
			}
			idleSince = System.nanoTime();
			for (RuleTracing tracing : OPEN) {
				try {
					tracing.poll();
				} catch (RuntimeException e) {
					LOG.debug("nftrace poll: {}", e.getMessage());
				}
			}
		}
	}
}
