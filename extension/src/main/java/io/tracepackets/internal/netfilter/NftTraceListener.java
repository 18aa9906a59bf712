package io.tracepackets.internal.netfilter;

import io.tracepackets.internal.ffi.Libc;
import io.tracepackets.internal.ffi.Native;
import io.tracepackets.internal.ffi.Netlink;
import io.tracepackets.internal.netns.NetnsRunner;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * nf_tables tracing in one network namespace, as {@code nft monitor trace} does it: a temporary
 * table ({@link NfTablesBatch}) whose base chains, at the lowest priority of the hooks every packet
 * of the namespace enters first (prerouting for received and forwarded ones, output for its own),
 * set {@code meta nftrace}; the flag stays on the skb through the later hooks, so the
 * kernel reports every rule verdict for the namespace's packets to the NFNLGRP_NFTRACE netlink
 * group, which this listener joined from inside the namespace. The kernel queues a trace message
 * before the packet is freed, so once a drop event is read its trace is in the socket already:
 * {@link #takeDrop} reads without waiting. {@link #close()} deletes the table.
 */
final class NftTraceListener implements NftTraceSource {

	private static final int RECEIVE_BUFFER = 32 << 20;
	private static final int MAX_IDS = 65_536;

	private final NetworkNamespace netns;
	private final String table;
	private final int fd;
	private final Arena arena = Arena.ofShared();
	private final MemorySegment buffer = arena.allocate(1 << 16);
	private final MemorySegment errno = Native.errnoSlot(arena);
	private final PendingDrops pendingDrops;
	private final Map<Integer, NftTrace.Tuple> headers = new LinkedHashMap<>(1024, 0.75f, true) {
		@Override
		protected boolean removeEldestEntry(Map.Entry<Integer, NftTrace.Tuple> eldest) {
			return size() > MAX_IDS;
		}
	};
	private boolean overflowed;
	private boolean closed;

	private final int requests;

	private NftTraceListener(NetworkNamespace netns, String table, int fd, int requests) {
		this.netns = netns;
		this.table = table;
		this.pendingDrops = new PendingDrops(table);
		this.fd = fd;
		this.requests = requests;
	}

	/**
	 * Joins the trace group inside {@code netns}, then adds the tracing table {@code table} through
	 * a second netlink socket of the namespace (kept to delete it at the end).
	 */
	static NftTraceListener open(NetworkNamespace netns, String table) {
		return NetnsRunner.call(netns, () -> {
			int fd = Netlink.openMulticast(Netlink.NETLINK_NETFILTER, Netlink.NFNLGRP_NFTRACE, RECEIVE_BUFFER);
			int requests = -1;
			try {
				requests = Netlink.openRequests(Netlink.NETLINK_NETFILTER);
				submit(requests, NfTablesBatch.createTracingTable(table), "add table inet " + table);
				return new NftTraceListener(netns, table, fd, requests);
			} catch (RuntimeException e) {
				Libc.close(fd);
				if (requests >= 0) {
					Libc.close(requests);
				}
				throw e;
			}
		});
	}

	/** Sends an nf_tables batch and fails with the first error the kernel acknowledged. */
	private static void submit(int socket, byte[] batch, String what) {
		java.util.List<Integer> codes = Netlink.request(socket, batch, what);
		for (int code : codes) {
			if (code < 0) {
				throw new io.tracepackets.internal.ffi.NativeException(what, -code);
			}
		}
		if (codes.size() < NfTablesBatch.acknowledgements(batch)) {
			throw new io.tracepackets.TracePacketsException(what + ": the kernel acknowledged " + codes.size() + " of "
					+ NfTablesBatch.acknowledgements(batch) + " requests");
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
		while (true) {
			int length = Netlink.receive(fd, buffer, errno);
			if (length == 0) {
				return;
			}
			if (length < 0) {
				overflowed = true;
				continue;
			}
			for (NftTrace trace : NftTrace.parse(buffer.asSlice(0, length).asByteBuffer(), headers)) {
				pendingDrops.offer(trace);
			}
		}
	}

	/** Deletes the tracing table (the namespace may be gone already), then closes the socket. */
	@Override
	public synchronized void close() {
		if (closed) {
			return;
		}
		try {
			// The request socket belongs to the namespace: no need to enter it again. A namespace
			// that is gone took the table with it.
			if (netns.isAlive()) {
				submit(requests, NfTablesBatch.deleteTable(table), "delete table inet " + table);
			}
		} finally {
			closed = true;
			Libc.close(fd);
			Libc.close(requests);
			arena.close();
		}
	}
}
