package io.tracepackets.internal.netfilter;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Optional;

/**
 * The nftables traces of drops a trace source has read and no packet has claimed yet, oldest
 * first, bounded: a flood of drops nobody asks about must not grow without end. Not thread-safe:
 * its source guards it.
 */
final class PendingDrops {

	private static final int MAX_PENDING = 100_000;

	private final Deque<NftTrace> drops = new ArrayDeque<>();

	/** Keeps {@code trace} if it is a drop by a rule of the user's, dropping the oldest when full. */
	void offer(NftTrace trace) {
		// A tracing table's traces (the rule that sets the flag; this JVM's or another's) are no drop of the user's.
		if (!trace.isDrop() || TracingTables.isTracingTable(trace.table())) {
			return;
		}
		if (drops.size() == MAX_PENDING) {
			drops.removeFirst();
		}
		drops.addLast(trace);
	}

	/** The oldest drop of the packet with this tuple, removed; empty when none was read. */
	Optional<NftTrace> take(NftTrace.Tuple tuple) {
		for (Iterator<NftTrace> it = drops.iterator(); it.hasNext();) {
			NftTrace trace = it.next();
			if (trace.packet().equals(tuple)) {
				it.remove();
				return Optional.of(trace);
			}
		}
		return Optional.empty();
	}
}
