package io.tracepackets.cli;

import java.util.Optional;

/**
 * Events lost while the trace runs, said as they happen, as pwru says them ("perf event ring
 * buffer full, dropped N samples"), but at most once per {@link #INTERVAL_NANOS}: a flood loses
 * events on every read, and a line per read would bury the trace. Each line says how many were
 * lost since the previous one and in all; the summary at exit says the total, and the kernel's
 * counts, which lose nothing, follow it. Not thread-safe: the polling thread alone uses it.
 */
final class LossReport {

	/** At most one line per second. */
	static final long INTERVAL_NANOS = 1_000_000_000L;

	private long reported;
	private long lastLineNanos;
	private boolean anyLine;

	/**
	 * @param lostSoFar the events lost since the start, as the trace counts them now
	 * @param nowNanos {@link System#nanoTime()}
	 * @return the line to print now, if events were lost since the last line and the last line is
	 *     at least {@link #INTERVAL_NANOS} old
	 */
	Optional<String> update(long lostSoFar, long nowNanos) {
		if (lostSoFar <= reported || anyLine && nowNanos - lastLineNanos < INTERVAL_NANOS) {
			return Optional.empty();
		}
		String line = "tracepackets: ring buffer or store full, lost " + (lostSoFar - reported) + " events ("
				+ lostSoFar + " so far); the counts at exit include them";
		reported = lostSoFar;
		lastLineNanos = nowNanos;
		anyLine = true;
		return Optional.of(line);
	}
}
