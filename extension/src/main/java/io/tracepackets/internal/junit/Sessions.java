package io.tracepackets.internal.junit;

import io.tracepackets.TracePacketsException;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.backend.AttachResult;
import io.tracepackets.internal.session.TraceSession;
import io.tracepackets.internal.session.TracerOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run's tracing sessions, one per configuration (backend and functions), kept in the root
 * store. A session that failed to start is remembered with its failure, so every later test that
 * needs it learns why at once. Starting a configuration first closes the idle sessions of other
 * configurations: two function backends never hold thousands of probes (and descriptors) at
 * once; a configuration needed again later starts again.
 */
final class Sessions implements AutoCloseable {

	private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);

	/** By {@link #key}: TracerOptions holds a Pattern, which compares by identity. */
	private final Map<String, Started> sessions = new LinkedHashMap<>();

	/**
	 * The session for {@code options}: started now, or before; or the failure that stopped it.
	 * {@code strict}: the run's strict mode, which makes a function that failed to attach a failure
	 * of the session it starts now.
	 */
	synchronized TraceSession get(TracerOptions options, boolean strict) {
		Started started = sessions.get(key(options));
		if (started == null) {
			closeIdleSessions();
			started = Started.start(options);
			if (strict) {
				started = strict(started, options);
			}
			sessions.put(key(options), started);
		}
		if (started.failure instanceof TracingUnavailableException unavailable) {
			throw unavailable;
		}
		if (started.failure != null) {
			throw new TracePacketsException("the tracer for " + options.describe() + " failed to start, so every test"
					+ " that needs it fails: " + started.failure.getMessage(), started.failure);
		}
		return started.session;
	}

	/**
	 * In strict mode a function that should have attached and did not is a failure, said once and
	 * grouped by cause; functions the backend cannot trace on this kernel are not.
	 */
	private static Started strict(Started started, TracerOptions options) {
		if (started.session == null || started.session.functions().failed().isEmpty()) {
			return started;
		}
		AttachResult functions = started.session.functions();
		started.session.close();
		return new Started(null, new TracingUnavailableException("function probes", functions.failed().size() + " of "
				+ (functions.attached().size() + functions.failed().size()) + " functions failed to attach with "
				+ options.describe() + ": " + AttachResult.byCause(functions.failed())));
	}

	private void closeIdleSessions() {
		sessions.entrySet().removeIf(entry -> {
			TraceSession session = entry.getValue().session;
			if (session == null || !session.isIdle()) {
				return false;
			}
			LOG.info("closing the idle tracer for {} before another configuration starts", entry.getKey());
			session.close();
			return true;
		});
	}

	private static String key(TracerOptions options) {
		return options.describe() + " ringbuffer=" + options.ringBufferBytes() + " events.bytes=" + options.storeBudgetBytes();
	}

	@Override
	public synchronized void close() {
		sessions.values().forEach(started -> {
			if (started.session != null) {
				started.session.close();
			}
		});
		sessions.clear();
	}

	/** A started session, or why it could not start. */
	private record Started(TraceSession session, RuntimeException failure) {

		static Started start(TracerOptions options) {
			try {
				return new Started(TraceSession.start(options), null);
			} catch (RuntimeException e) {
				return new Started(null, e);
			}
		}
	}
}
