package io.tracepackets;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.testcontainers.containers.Container;

/**
 * What the kernel did with a test's packets: the events that the probes saw, from the start of
 * the test, in the network namespaces the trace is scoped to. Injected by {@link TracePackets};
 * read it with {@code TracePacketsAssertions.assertThat(trace)}.
 *
 * <p>Events arrive while the test runs: {@link #events()} and {@link #paths()} return what has
 * arrived so far, {@link #awaitPaths} waits for more, and {@link #flush()} proves that everything
 * the kernel produced before it has arrived.
 */
public interface PacketTrace {

	/** Events that arrived so far, in scope, in the order the ring buffer delivered them. */
	List<PacketEvent> events();

	/**
	 * The events that arrived so far, as one path per packet, ordered by each path's first event.
	 * Events are grouped once, as they arrive, so calling this often is cheap.
	 */
	List<PacketPath> paths();

	/** The paths of packets matching {@code filter}. */
	default List<PacketPath> packets(PacketFilter filter) {
		return paths().stream().filter(filter::matches).toList();
	}

	/** Events the kernel or the store could not keep during this trace; assertions fail when > 0. */
	long lostEvents();

	/** Returns once every event the kernel produced before this call has arrived. */
	void flush();

	/**
	 * Waits until {@code condition} holds for the paths that arrived, up to {@code timeout};
	 * returns whether it held. The condition is tested again only when new events arrive.
	 */
	boolean awaitPaths(Predicate<? super List<PacketPath>> condition, Duration timeout);

	/** How long positive assertions wait for events ({@value TracePackets#AWAIT_TIMEOUT_PROPERTY}). */
	Duration awaitTimeout();

	/** Adds a running container's network namespace to the scope. */
	PacketTrace scope(Container<?> container);

	/** Adds a network namespace by path: {@code /run/netns/blue}, {@code /proc/1234/ns/net}. */
	PacketTrace scope(Path netnsPath);

	/** Adds a network namespace by inode (as {@code ls -i /proc/<pid>/ns/net} prints it). */
	PacketTrace scopeNetns(long inode);

	/** Adds the host's (pid 1's) network namespace. */
	PacketTrace scopeHostNetwork();

	/** The namespaces in scope, in the order they were added. */
	List<TracedNamespace> namespaces();

	/** What the probes can see: the backend, its tracepoints and functions, the kernel's names. */
	ProbeCatalog probes();

	/**
	 * {@code paths} the way pwru prints them: one line per event, times relative to the start of
	 * this trace, namespaces labelled (a container's name, a netns path).
	 */
	String render(List<PacketPath> paths);
}
