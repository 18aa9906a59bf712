package io.tracepackets.internal.trace;

import io.tracepackets.PacketEvent;
import io.tracepackets.PacketPath;
import io.tracepackets.PacketTrace;
import io.tracepackets.ProbeCatalog;
import io.tracepackets.internal.containers.ContainerNamespaces;
import io.tracepackets.internal.netns.InterfaceNames;
import io.tracepackets.internal.netns.NetworkNamespace;
import io.tracepackets.internal.tracer.EventLayout;
import io.tracepackets.internal.tracer.TraceWindow;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.testcontainers.containers.Container;

/**
 * A {@link PacketTrace} reading one {@link TraceWindow}: decodes its records once, on demand,
 * and filters them by the current scope.
 */
public final class WindowPacketTrace implements PacketTrace, AutoCloseable {

	private final TraceWindow window;
	private final ProbeCatalog catalog;
	private final Duration awaitTimeout;
	private final Duration flushTimeout;
	private final EventDecoder decoder;
	private final long startNanos = System.nanoTime();
	private final Map<Long, NetworkNamespace> namespaces = new ConcurrentHashMap<>();
	private final Map<Long, String> interfaceCache = new ConcurrentHashMap<>();
	private final InterfaceNames interfaceNames;
	private final List<PacketEvent> decoded = new ArrayList<>();
	private long decodedUpTo;

	public WindowPacketTrace(TraceWindow window, TraceContext context, Duration awaitTimeout) {
		this.window = window;
		this.catalog = context.catalog();
		this.awaitTimeout = awaitTimeout;
		this.flushTimeout = Duration.ofSeconds(10);
		this.interfaceNames = context.interfaceNames();
		this.decoder = context.decoder(this::interfaceName);
		this.decodedUpTo = window.start();
	}

	private String interfaceName(long netns, int ifindex) {
		NetworkNamespace namespace = namespaces.get(netns);
		if (namespace == null) {
			return null;
		}
		// One lookup per (netns, ifindex) and trace: a miss makes InterfaceNames re-read the netns.
		String name = interfaceCache.computeIfAbsent(netns << 32 | Integer.toUnsignedLong(ifindex), key -> {
			try {
				return interfaceNames.name(namespace, ifindex).orElse("");
			} catch (RuntimeException gone) {
				return "";
			}
		});
		return name.isEmpty() ? null : name;
	}

	@Override
	public synchronized List<PacketEvent> events() {
		long limit = window.limit();
		byte[] record = new byte[EventLayout.SIZE];
		for (long sequence = decodedUpTo; sequence < limit; sequence++) {
			window.read(sequence, record);
			decoded.add(decoder.decode(record));
		}
		decodedUpTo = Math.max(decodedUpTo, limit);
		if (window.allNamespaces()) {
			return List.copyOf(decoded);
		}
		Set<Long> scope = window.namespaces();
		return decoded.stream().filter(e -> scope.contains(e.netns())).toList();
	}

	@Override
	public void flush() {
		window.flush(flushTimeout);
	}

	@Override
	public boolean await(Predicate<List<PacketPath>> condition, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			if (condition.test(paths())) {
				return true;
			}
			long left = deadline - System.nanoTime();
			if (left <= 0 || window.isClosed()) {
				return false;
			}
			window.awaitProgress(Math.min(left, 50_000_000L));
		}
	}

	@Override
	public Duration awaitTimeout() {
		return awaitTimeout;
	}

	@Override
	public long lostEvents() {
		return window.lost();
	}

	@Override
	public PacketTrace scope(Container<?> container) {
		return add(ContainerNamespaces.of(container));
	}

	@Override
	public PacketTrace scope(Path netnsPath) {
		return add(NetworkNamespace.ofPath(netnsPath));
	}

	@Override
	public PacketTrace scopeNetns(long inode) {
		return add(NetworkNamespace.ofInode(inode));
	}

	@Override
	public PacketTrace scopeHostNetwork() {
		return add(NetworkNamespace.host());
	}

	/** Adds a namespace to the scope (the kernel's filter follows at once). */
	public PacketTrace add(NetworkNamespace namespace) {
		namespaces.putIfAbsent(namespace.inode(), namespace);
		window.addNetns(namespace.inode());
		return this;
	}

	/** Traces every namespace. */
	public void traceAllNamespaces() {
		window.traceAllNamespaces();
	}

	@Override
	public Set<Long> namespaces() {
		return window.namespaces();
	}

	@Override
	public String describeNetns(long inode) {
		NetworkNamespace namespace = namespaces.get(inode);
		return namespace == null ? Long.toString(inode) : namespace.label();
	}

	@Override
	public long startNanos() {
		return startNanos;
	}

	@Override
	public ProbeCatalog catalog() {
		return catalog;
	}

	@Override
	public String render(List<PacketPath> paths) {
		return PwruFormat.render(paths, startNanos, this::describeNetns);
	}

	/** Ends the window: flushes and fixes its last event. */
	@Override
	public void close() {
		window.close();
	}

	@Override
	public String toString() {
		return "PacketTrace[" + namespaces.values() + ", backend " + catalog.backend() + "]\n" + render(paths());
	}
}
