package io.tracepackets.internal.netfilter;

import io.tracepackets.internal.ffi.Libc;
import io.tracepackets.internal.ffi.Native;
import io.tracepackets.internal.ffi.Netlink;
import io.tracepackets.internal.netns.NetnsRunner;
import io.tracepackets.internal.netns.NamespaceCommand;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * nf_tables tracing in one network namespace, as {@code nft monitor trace} does it: a temporary
 * table whose chains, first on the prerouting and output hooks, set {@code meta nftrace}, so the
 * kernel reports every rule verdict for the namespace's packets to the NFNLGRP_NFTRACE netlink
 * group, which this listener joined from inside the namespace. The kernel queues a trace message
 * before the packet is freed, so once a drop event is read its trace is in the socket already:
 * {@link #takeDrop} reads without waiting. {@link #close()} deletes the table.
 */
final class NftTraceListener implements AutoCloseable {

	private static final int RECEIVE_BUFFER = 8 << 20;
	private static final int MAX_PENDING = 100_000;
	private static final int MAX_IDS = 65_536;

	private final NetworkNamespace netns;
	private final String table;
	private final int fd;
	private final Arena arena = Arena.ofShared();
	private final MemorySegment buffer = arena.allocate(1 << 16);
	private final MemorySegment errno = Native.errnoSlot(arena);
	private final Deque<NftTrace> pendingDrops = new ArrayDeque<>();
	private final Map<Integer, NftTrace.Tuple> headers = new LinkedHashMap<>(1024, 0.75f, true) {
		@Override
		protected boolean removeEldestEntry(Map.Entry<Integer, NftTrace.Tuple> eldest) {
			return size() > MAX_IDS;
		}
	};
	private boolean overflowed;
	private boolean closed;

	private NftTraceListener(NetworkNamespace netns, String table, int fd) {
		this.netns = netns;
		this.table = table;
		this.fd = fd;
	}

	/** Joins the trace group inside {@code netns}, then adds the tracing table {@code table}. */
	static NftTraceListener open(NetworkNamespace netns, String table) {
		int fd = NetnsRunner.call(netns,
				() -> Netlink.openMulticast(Netlink.NETLINK_NETFILTER, Netlink.NFNLGRP_NFTRACE, RECEIVE_BUFFER));
		NftTraceListener listener = new NftTraceListener(netns, table, fd);
		try {
			NamespaceCommand.run(netns, tableScript(table), "nft", "-f", "-");
		} catch (RuntimeException e) {
			listener.closeSocket();
			throw e;
		}
		return listener;
	}

	/**
	 * The tracing table: base chains at the lowest priority of the hooks every packet of the
	 * namespace enters first (prerouting for received and forwarded ones, output for its own), so
	 * they mark it before any user chain; the mark stays on the skb through the later hooks.
	 */
	static String tableScript(String table) {
		return "table inet " + table + " {\n"
				+ "\tchain prerouting { type filter hook prerouting priority -2147483648; policy accept; meta nftrace set 1; }\n"
				+ "\tchain output { type filter hook output priority -2147483648; policy accept; meta nftrace set 1; }\n"
				+ "}\n";
	}

	/**
	 * The oldest traced drop of a packet with this tuple not yet taken, reading what the kernel
	 * queued first.
	 */
	synchronized Optional<NftTrace> takeDrop(NftTrace.Tuple tuple) {
		drain();
		for (Iterator<NftTrace> it = pendingDrops.iterator(); it.hasNext();) {
			NftTrace trace = it.next();
			if (Objects.equals(trace.packet(), tuple)) {
				it.remove();
				return Optional.of(trace);
			}
		}
		return Optional.empty();
	}

	/** Whether the kernel dropped trace messages because this socket's buffer was full. */
	synchronized boolean overflowed() {
		return overflowed;
	}

	NetworkNamespace namespace() {
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
				if (trace.isDrop() && !table.equals(trace.table())) {
					if (pendingDrops.size() == MAX_PENDING) {
						pendingDrops.removeFirst();
					}
					pendingDrops.addLast(trace);
				}
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
			if (netns.isAlive()) {
				NamespaceCommand.run(netns, null, "nft", "delete", "table", "inet", table);
			}
		} finally {
			closeSocket();
		}
	}

	private void closeSocket() {
		closed = true;
		Libc.close(fd);
		arena.close();
	}
}
