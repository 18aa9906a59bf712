package io.tracepackets.internal.counts;

import java.util.HashMap;
import java.util.Map;

/**
 * What one trace counted: the kernel's totals less what they were when the trace scoped each
 * namespace. The map is shared by every trace of the JVM (and kept for a namespace as long as
 * one of them scopes it), so a trace cannot reset it; it subtracts. An entry whose total fell
 * below its baseline was deleted and made again meanwhile: it counts from 0 since.
 */
public final class CountBaseline {

	private final Map<CountKey, Long> baseline = new HashMap<>();

	/**
	 * Adds the totals read when a namespace (or every namespace) entered the scope. An entry already
	 * there keeps its older value: the trace has counted it since then.
	 */
	public synchronized void include(Map<CountKey, Long> totalsAtScoping) {
		totalsAtScoping.forEach(baseline::putIfAbsent);
	}

	/** The counts since each entry's baseline, zeros left out. */
	public synchronized Map<CountKey, Long> since(Map<CountKey, Long> totals) {
		Map<CountKey, Long> counted = new HashMap<>();
		totals.forEach((key, total) -> {
			long base = baseline.getOrDefault(key, 0L);
			long since = total >= base ? total - base : total;
			if (since > 0) {
				counted.put(key, since);
			}
		});
		return counted;
	}
}
