package io.tracepackets.internal.netfilter;

import io.tracepackets.internal.ffi.Libc;
import io.tracepackets.internal.ffi.Netlink;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * nf_tables tracing in one network namespace, as {@code nft monitor trace} does it: the tracing
 * table ({@link TracingTables}, {@link NfTablesBatch}) whose base chains, at the lowest priority of
 * the hooks every packet of the namespace enters first (prerouting for received and forwarded
 * ones, output for its own), set {@code meta nftrace}; the flag stays on the skb through the later
 * hooks, so the kernel reports every rule verdict for the namespace's packets to the
 * NFNLGRP_NFTRACE netlink group, which this listener joined from inside the namespace. The kernel
 * queues a trace message before the packet is freed, so once a drop event is read its trace is in
 * the socket already: {@link #takeDrop} reads without waiting.
 *
 * <p>The table outlives the listener (it is kept for the next test); the socket does not: a
 * listener sees only the traces of packets that passed after it joined, so a drop of an earlier
 * test is never named in this one. {@link #close()} leaves the group and hands the table back.
 */
final class NftTraceListener implements NftTraceSource {

	private static final int RECEIVE_BUFFER = 32 << 20;
	private static final int MAX_IDS = 65_536;

	private final NetworkNamespace netns;
	private final int fd;
	private final PendingDrops pendingDrops = new PendingDrops();
	private final Map<Integer, NftTrace.Tuple> headers = new LinkedHashMap<>(1024, 0.75f, true) {
		@Override
		protected boolean removeEldestEntry(Map.Entry<Integer, NftTrace.Tuple> eldest) {
			return size() > MAX_IDS;
		}
	};
	private boolean overflowed;
	private boolean closed;

	private NftTraceListener(NetworkNamespace netns, int fd) {
		this.netns = netns;
		this.fd = fd;
	}

	/**
	 * Joins the trace group, then makes sure the namespace has the tracing table (through a second
	 * netlink socket of the namespace, closed at once). Runs inside {@code netns}: the sockets
	 * belong to the namespace of the thread that opens them.
	 */
	static NftTraceListener openInside(NetworkNamespace netns) {
		int fd = Netlink.openMulticast(Netlink.NETLINK_NETFILTER, Netlink.NFNLGRP_NFTRACE, RECEIVE_BUFFER);
		try {
			int requests = Netlink.openRequests(Netlink.NETLINK_NETFILTER);
			try {
				TracingTables.use(netns, requests);
			} finally {
				Libc.close(requests);
			}
			return new NftTraceListener(netns, fd);
		} catch (RuntimeException e) {
			Libc.close(fd);
			throw e;
		}
	}

	/**
	 * The oldest traced drop of a packet with this tuple not yet taken, reading what the kernel
	 * queued first.
	 */
	@Override
	public synchronized Optional<NftTrace> takeDrop(NftTrace.Tuple tuple) {
		drain();
		return pendingDrops.take(tuple);
	}

	/**
	 * Reads what the kernel queued, keeping the drops: called between assertions too, so that a
	 * test's busy traffic does not fill the socket and cost the traces of later drops.
	 */
	@Override
	public synchronized void poll() {
		drain();
	}

	/** Whether the kernel dropped trace messages because this socket's buffer was full. */
	@Override
	public synchronized boolean overflowed() {
		return overflowed;
	}

	@Override
	public NetworkNamespace namespace() {
		return netns;
	}

	private void drain() {
		if (closed) {
			return;
		}
		// the reading thread's buffer: a listener per window, each with 64 KiB of its own to zero, was
		// a good part of a test's cost before the JIT compiled the fill
		Netlink.Receiver receiver = Netlink.receiver();
		while (true) {
			int length = Netlink.receive(fd, receiver.buffer(), receiver.errno());
			if (length == 0) {
				return;
			}
			if (length < 0) {
				overflowed = true;
				continue;
			}
			NftTrace.drops(receiver.view(), 0, length, headers, pendingDrops::offer);
		}
	}

	/** Leaves the trace group (closes the socket) and hands the tracing table back to {@link TracingTables}. */
	@Override
	public synchronized void close() {
		if (closed) {
			return;
		}
		closed = true;
		try {
			Libc.close(fd);
		} finally {
			TracingTables.release(netns);
		}
	}
}
