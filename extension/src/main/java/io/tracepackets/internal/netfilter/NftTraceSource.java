package io.tracepackets.internal.netfilter;

import io.tracepackets.internal.netns.NetworkNamespace;
import java.util.Optional;

/**
 * The nf_tables trace of one network namespace for one window, with the tracing table that turns
 * it on: read from the trace group by this JVM where it can enter the namespace
 * ({@link NftTraceListener}, on the table {@link TracingTables} keeps there), else from
 * {@code nft monitor trace} run there through the namespace's entry ({@link NftMonitorTrace}, on a
 * table of its own).
 */
interface NftTraceSource extends AutoCloseable {

	/** The oldest traced drop of a packet with this tuple not yet taken. */
	Optional<NftTrace> takeDrop(NftTrace.Tuple tuple);

	/** Reads what has arrived, keeping the drops. */
	void poll();

	/** Whether trace messages were lost. */
	boolean overflowed();

	NetworkNamespace namespace();

	/** Stops reading, and hands the tracing table back (or deletes it). */
	@Override
	void close();
}
