package io.tracepackets.internal.backend;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an attacher collects while it works — links, functions attached, failures — safe to fill
 * from several threads; {@link #result()} seals it with the time taken since creation.
 */
final class Attachments {

	private final long started = System.nanoTime();
	private final List<AutoCloseable> links = Collections.synchronizedList(new ArrayList<>());
	private final List<String> attached = Collections.synchronizedList(new ArrayList<>());
	private final Map<String, String> failed = Collections.synchronizedMap(new TreeMap<>());
	private final Map<String, String> unsupported = Collections.synchronizedMap(new TreeMap<>());

	void attached(AutoCloseable link, List<String> functions) {
		links.add(link);
		attached.addAll(functions);
	}

	void attached(AutoCloseable link, String function) {
		attached(link, List.of(function));
	}

	void failed(String function, String reason) {
		failed.put(function, reason);
	}

	/** {@code function} cannot be traced by this backend on this kernel: expected, not a failure. */
	void unsupported(String function, String reason) {
		unsupported.put(function, reason);
	}

	AttachResult result() {
		List<String> names = new ArrayList<>(attached);
		Collections.sort(names);
		return new AttachResult(List.copyOf(links), List.copyOf(names), Map.copyOf(new TreeMap<>(failed)),
				Map.copyOf(new TreeMap<>(unsupported)), Duration.ofNanos(System.nanoTime() - started));
	}
}
