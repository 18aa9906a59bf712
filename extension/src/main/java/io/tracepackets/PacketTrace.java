package io.tracepackets;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.testcontainers.containers.Container;

/**
 * What the kernel did with a test's packets: the events that the probes saw, from the start of
 * the test, in the network namespaces the trace is scoped to. Injected by {@link TracePackets};
 * read it with {@code TracePacketsAssertions.assertThat(trace)}.
 *
 * <p>{@link #events()} returns what the reader has consumed so far; the kernel may still be
 * producing. {@link #flush()} proves that everything produced before it has been consumed.
 */
public interface PacketTrace {

	/** Events consumed so far, in scope, in the order the ring buffer delivered them. */
	List<PacketEvent> events();

	/** {@link #events()} grouped into one path per packet. */
	default List<PacketPath> paths() {
		return PacketPath.group(events());
	}

	/** The paths of packets matching {@code filter}. */
	default List<PacketPath> packets(PacketFilter filter) {
		return paths().stream().filter(filter::matches).toList();
	}

	/** Returns once every event the kernel produced before this call has been consumed. */
	void flush();

	/**
	 * Waits until {@code condition} holds for the paths seen so far, up to {@code timeout}; returns
	 * whether it held.
	 */
	boolean await(java.util.function.Predicate<List<PacketPath>> condition, Duration timeout);

	/** How long positive assertions wait for events ({@value TracePackets#AWAIT_TIMEOUT_PROPERTY}). */
	Duration awaitTimeout();

	/** Events the kernel or the store could not keep during this trace; assertions fail when > 0. */
	long lostEvents();

	/** Adds a running container's network namespace to the scope. */
	PacketTrace scope(Container<?> container);

	/** Adds a network namespace by path: {@code /run/netns/blue}, {@code /proc/1234/ns/net}. */
	PacketTrace scope(Path netnsPath);

	/** Adds a network namespace by inode (as {@code ls -i /proc/<pid>/ns/net} prints it). */
	PacketTrace scopeNetns(long inode);

	/** Adds the host's (pid 1's) network namespace. */
	PacketTrace scopeHostNetwork();

	/** The inodes of the namespaces in scope. */
	Set<Long> namespaces();

	/** A label for a namespace inode: the container's name, the netns path, or the number. */
	String describeNetns(long inode);

	/** {@link System#nanoTime()} when the trace started; event times are shown relative to it. */
	long startNanos();

	/** What the tracer can see; assertions check names against it. */
	ProbeCatalog catalog();

	/** The paths rendered pwru-style, one line per event. */
	String render(List<PacketPath> paths);
}
