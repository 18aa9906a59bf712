package io.tracepackets.internal.window;

import io.tracepackets.TracedNamespace;
import io.tracepackets.internal.counts.CountBaseline;
import io.tracepackets.internal.netns.NetworkNamespace;
import io.tracepackets.internal.session.NamespaceFilter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The network namespaces one trace covers, and the one owner of that fact: adding a namespace
 * leases it in the kernel's filter (so the probes keep its events and count them), makes the
 * trace keep the events that carry it, and sets its counts' baseline to their totals at the
 * lease. Closing releases the leases. Thread-safe.
 */
final class Scope implements AutoCloseable {

	private final NamespaceFilter filter;
	private final CountBaseline countBaseline;
	private final Map<Long, NetworkNamespace> namespaces = new LinkedHashMap<>();
	private final List<NamespaceFilter.Lease> leases = new ArrayList<>();
	private volatile boolean everyNamespace;
	private boolean closed;

	Scope(NamespaceFilter filter, CountBaseline countBaseline) {
		this.filter = filter;
		this.countBaseline = countBaseline;
	}

	/** Adds {@code namespace}; true when it was not in scope before. */
	synchronized boolean add(NetworkNamespace namespace) {
		if (closed || namespaces.putIfAbsent(namespace.inode(), namespace) != null) {
			return false;
		}
		NamespaceFilter.Lease lease = filter.lease(namespace.inode());
		leases.add(lease);
		countBaseline.include(lease.countsAtLease());
		return true;
	}

	/** Covers every namespace (noisy: for exploring). */
	synchronized void addEveryNamespace() {
		if (closed || everyNamespace) {
			return;
		}
		everyNamespace = true;
		NamespaceFilter.Lease lease = filter.leaseAll();
		leases.add(lease);
		countBaseline.include(lease.countsAtLease());
	}

	boolean coversEveryNamespace() {
		return everyNamespace;
	}

	synchronized boolean contains(long inode) {
		return everyNamespace || namespaces.containsKey(inode);
	}

	synchronized Optional<NetworkNamespace> namespace(long inode) {
		return Optional.ofNullable(namespaces.get(inode));
	}

	synchronized List<TracedNamespace> list() {
		return namespaces.values().stream().map(n -> new TracedNamespace(n.inode(), n.label())).toList();
	}

	/** A label for an inode: the namespace's own, else the number. */
	synchronized String label(long inode) {
		NetworkNamespace namespace = namespaces.get(inode);
		return namespace == null ? Long.toString(inode) : namespace.label();
	}

	@Override
	public synchronized void close() {
		closed = true;
		leases.forEach(NamespaceFilter.Lease::close);
		leases.clear();
	}

	@Override
	public synchronized String toString() {
		return everyNamespace ? "every namespace" : namespaces.values().toString();
	}
}
