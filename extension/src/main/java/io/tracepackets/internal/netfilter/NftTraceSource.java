package io.tracepackets.internal.netfilter;

import io.tracepackets.internal.netns.NetworkNamespace;
import java.util.Optional;

/**
 * The nf_tables trace of one network namespace, with the tracing table that turns it on: read
 * from the trace group by this JVM where it can enter the namespace ({@link NftTraceListener}),
 * else from {@code nft monitor trace} run there through the namespace's entry
 * ({@link NftMonitorTrace}).
 */
interface NftTraceSource extends AutoCloseable {

	/** Opens the trace of {@code netns} and adds the tracing table {@code table} there. */
	static NftTraceSource open(NetworkNamespace netns, String table) {
		return netns.entry().isPresent() ? NftMonitorTrace.open(netns, netns.entry().get(), table)
				: NftTraceListener.open(netns, table);
	}

	/** The oldest traced drop of a packet with this tuple not yet taken. */
	Optional<NftTrace> takeDrop(NftTrace.Tuple tuple);

	/** Reads what has arrived, keeping the drops. */
	void poll();

	/** Whether trace messages were lost. */
	boolean overflowed();

	NetworkNamespace namespace();

	/** Deletes the tracing table and stops reading. */
	@Override
	void close();
}
