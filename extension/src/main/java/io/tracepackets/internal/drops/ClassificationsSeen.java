package io.tracepackets.internal.drops;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every drop classification made in this JVM, with how often: for the log, so a run shows which
 * drops it met and what the tables made of them.
 */
public final class ClassificationsSeen {

	private static final Map<Classification, LongAdder> SEEN = new ConcurrentHashMap<>();

	private ClassificationsSeen() {
	}

	/** Counts one drop classified as {@code classification}. */
	public static void count(Classification classification) {
		SEEN.computeIfAbsent(classification, key -> new LongAdder()).increment();
	}

	/** The drops classified in this JVM so far, one line each: {@code "after delivery: QUEUE_PURGE at …" x 3}. */
	public static List<String> lines() {
		return SEEN.entrySet().stream().map(e -> e.getKey().kind().label() + ": " + e.getKey().why() + " x "
				+ e.getValue().sum()).sorted().toList();
	}
}
