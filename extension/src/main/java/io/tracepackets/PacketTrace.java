package io.tracepackets;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.testcontainers.containers.Container;

/**
 * What the kernel did with a test's packets: the events that the probes saw, from the start of
 * the test, in the network namespaces the trace is scoped to. Injected by {@link TracePackets};
 * read it with {@code TracePacketsAssertions.assertThat(trace)}.
 *
 * <p>Events arrive while the test runs: {@link #events()} and {@link #paths()} (and what is built
 * on them: {@link #journeys()}, {@link #packets}) return every event the kernel produced before
 * the call, in scope; a packet still on its way (queued, or not yet sent by another thread) shows
 * in a later call, and {@link #awaitPaths} waits for it.
 */
public interface PacketTrace {

	/**
	 * The events in scope that the kernel produced before this call, in the order the ring buffer
	 * delivered them. Reading the ring buffer up to the call costs a marker's round trip (tens of
	 * microseconds) while the trace is open; nothing once it is closed.
	 *
	 * @return an immutable snapshot; events that arrive later are not added to it. A trace keeps
	 *     its events as the kernel's records and decodes each one as it is read ({@link
	 *     RecordedEvents}): reading an element twice gives equal events, not the same object
	 */
	List<PacketEvent> events();

	/**
	 * The events of {@link #events()}, as one path per packet, ordered by each path's first event.
	 * Events are grouped once, as they arrive, so calling this often is cheap.
	 *
	 * @return an immutable snapshot; a packet still on its way shows again, with more events, in a
	 *     later call
	 */
	List<PacketPath> paths();

	/**
	 * The packets' journeys so far: the paths that the kernel's journey id ties together, across
	 * NAT and namespace crossings (see {@link Journey}).
	 *
	 * @return an immutable snapshot, ordered by each journey's first path
	 */
	default List<Journey> journeys() {
		return Journey.group(paths());
	}

	/**
	 * The paths of packets matching {@code filter}.
	 *
	 * @param filter which packets, e.g. {@code udp().dstPort(9000)}
	 * @return the matching paths among those of {@link #paths()}, in its order
	 */
	default List<PacketPath> packets(PacketFilter filter) {
		return paths().stream().filter(filter::matches).toList();
	}

	/**
	 * What the probes counted in the kernel since this trace opened, in its scope: events per probe
	 * point (tracepoint, kernel function, socket_receive, XDP) and drops per namespace, reason and
	 * location. The probes count every event before it goes to the ring buffer, so the counts are
	 * exact whatever the ring buffer or the event store lost ({@link #lostEvents()}): the answer of
	 * a load test. Assert them with {@code assertThat(trace).drops().withReason(NO_SOCKET).hasCount(n)}
	 * or {@code assertThat(trace).counts().at("net_dev_queue").hasCount(n)}.
	 *
	 * <p>Read from the kernel at the call, with no flush: every probe run that finished before the
	 * call is in it (a packet still queued, e.g. in a device's backlog, is counted once it is
	 * handled). A namespace scoped during the test is counted from the moment it was scoped.
	 *
	 * @return the counts so far; once the trace is closed, those at its close
	 * @throws UnsupportedOperationException from a trace that keeps no counts (a test double)
	 */
	default KernelCounts counts() {
		throw new UnsupportedOperationException("this PacketTrace keeps no kernel counts: only the traces"
				+ " @TracePackets injects read them from the kernel");
	}

	/**
	 * Events the kernel or the store could not keep during this trace, and probe runs the kernel
	 * skipped ({@link #skippedProbeRuns()}). Every assertion fails when the ring buffer or the store
	 * lost events; skipped runs stop the negative assertions they could have made wrong (see
	 * {@link #skippedProbeRuns()}).
	 *
	 * @return events lost while this trace was open, counting every traced namespace, not only this
	 *     trace's scope: the ring buffer had no room, the store was full, or a probe did not run; 0
	 *     when none
	 */
	long lostEvents();

	/**
	 * The part of {@link #lostEvents()} the tracer's event store had no room for: its budget
	 * ({@value TracePackets#EVENT_BYTES_PROPERTY}), and the bytes this trace needed.
	 *
	 * @return the overflow while this trace was open; empty when the store kept every event that
	 *     reached it
	 */
	default Optional<EventStoreOverflow> storeOverflow() {
		return Optional.empty();
	}

	/**
	 * Probe runs the kernel skipped while this trace was open, over every namespace: a probe's
	 * program already running on that CPU (its {@code recursion_misses}), or a kprobe that fired
	 * inside another's handler (the link's {@code missed}, Linux 6.7+). Each is an event that never
	 * was, of an unknown packet. A negative assertion cannot be sure when the skipped runs were of
	 * the probes its answer rests on ({@link #skippedProbeRuns(String)}): it throws
	 * {@link TracingUnavailableException} (a skipped test, a failure in strict mode); skips
	 * elsewhere hide an event, not its answer, and are logged. {@code hasNoLostEvents()} fails on
	 * any. Included in {@link #lostEvents()}.
	 *
	 * @return the runs skipped since the trace opened; 0 when none, or where the kernel has no
	 *     such counters (before 5.12)
	 */
	default long skippedProbeRuns() {
		return 0;
	}

	/**
	 * The skipped runs ({@link #skippedProbeRuns()}) that could each have been an event at
	 * {@code where}: those of its tracepoint's program, its fentry program or kprobe, or of a
	 * program that serves many functions at once (kprobe-multi), which counts for each of them.
	 *
	 * @param where an event name, e.g. {@code "kfree_skb"} or {@code "udp_rcv"}
	 * @return the runs at {@code where} skipped since the trace opened; 0 when none
	 */
	default long skippedProbeRuns(String where) {
		return skippedProbeRuns();
	}

	/**
	 * The skipped runs ({@link #skippedProbeRuns()}) of the tracepoints' probes: the points every
	 * packet in the stack meets (queued to a device, received from one, freed). A packet can vanish
	 * from the trace only if its runs there were skipped too; runs skipped at kernel functions
	 * hide an event of a packet that the tracepoints still show.
	 *
	 * @return the tracepoint runs skipped since the trace opened; 0 when none
	 */
	default long skippedTracepointRuns() {
		return skippedProbeRuns();
	}

	/** Returns once every event the kernel produced before this call has arrived. */
	void flush();

	/**
	 * Waits until {@code condition} holds for the paths that arrived, up to {@code timeout};
	 * returns whether it held. The condition is tested again only when new events arrive.
	 *
	 * @param condition tested on the {@link #paths()} snapshot, at once and as events arrive; it
	 *     should be quick and must not block
	 * @param timeout how long to wait at most; {@link Duration#ZERO} tests once
	 * @return true when the condition held; false when the timeout passed, or the trace ended, first
	 */
	boolean awaitPaths(Predicate<? super List<PacketPath>> condition, Duration timeout);

	/**
	 * How long positive assertions wait for events ({@value TracePackets#AWAIT_TIMEOUT_PROPERTY}).
	 *
	 * @return the annotation's {@code awaitMillis}, else the property, else 3 seconds
	 */
	Duration awaitTimeout();

	/**
	 * Adds a running container's network namespace to the scope. Packets the namespace handled
	 * before the call may be missing from the trace; adding a namespace twice changes nothing.
	 *
	 * @param container a started Testcontainers container, e.g. an {@code @Container} field
	 * @return this trace, for chaining
	 * @throws TracePacketsException when the container is not running
	 */
	PacketTrace scope(Container<?> container);

	/**
	 * Adds a network namespace by path: {@code /run/netns/blue}, {@code /proc/1234/ns/net}.
	 *
	 * @param netnsPath a file that opens the namespace: an {@code ip netns} bind mount or a
	 *     process's {@code ns/net}
	 * @return this trace, for chaining
	 * @throws TracePacketsException when the path does not exist, cannot be read, or is not a network
	 *     namespace (a regular file, as a stale {@code /run/netns} entry is, or {@code /proc/<pid>/ns/mnt})
	 */
	PacketTrace scope(Path netnsPath);

	/**
	 * Adds a network namespace by inode (as {@code ls -i /proc/<pid>/ns/net} prints it).
	 *
	 * @param inode the namespace's inode, as {@link PacketEvent#netns()} and
	 *     {@link TracedNamespace#inode()} carry it
	 * @return this trace, for chaining
	 * @throws TracePacketsException when no process or bind mount holds such a namespace
	 */
	PacketTrace scopeNetns(long inode);

	/**
	 * Adds the host's (pid 1's) network namespace.
	 *
	 * @return this trace, for chaining
	 */
	PacketTrace scopeHostNetwork();

	/**
	 * The namespaces in scope, in the order they were added.
	 *
	 * @return each namespace once, with its label; {@code allNamespaces} adds none to this list
	 */
	List<TracedNamespace> namespaces();

	/**
	 * Whether the trace takes every network namespace of the machine
	 * ({@link TracePackets#allNamespaces()}), whatever {@link #namespaces()} lists.
	 *
	 * @return true when nothing is left out of scope
	 */
	default boolean scopesEveryNamespace() {
		return false;
	}

	/**
	 * Containers the test holds that are not in scope, as the extension found them when the test
	 * started: a field of a Testcontainers type without {@code @Container}, for instance. Assertions
	 * on a trace with nothing in scope fail, and name these as what could be scoped.
	 *
	 * @return one per container, e.g. field {@code web} ({@code GenericContainer}) of {@code
	 *     WebTest}; empty when there are none
	 */
	default List<UnscopedContainer> unscopedContainers() {
		return List.of();
	}

	/**
	 * The sends of the test that fell short while this trace was open (on the test's thread): what
	 * was never sent cannot be traced, so assertions that found too few packets name these.
	 *
	 * @return one per send, oldest first, e.g. 0 of 3 UDP datagrams sent to 10.10.20.99:7600 from
	 *     this JVM, refused with "Network is unreachable"; empty when every send went out
	 * @see SendShortfall
	 */
	default List<SendShortfall> sendsThatFellShort() {
		return List.of();
	}

	/**
	 * What the probes can see: the backend, its tracepoints and functions, the kernel's names.
	 *
	 * @return the catalog of the tracer this trace reads from
	 */
	ProbeCatalog probes();

	/**
	 * The XDP programs attached to the devices of the scoped namespaces, asked of the kernel now
	 * (its link dump, as {@code ip -d link show} prints it). An XDP program on a NIC's driver hook
	 * drops a packet before any skb exists, where only a probe on the program itself sees it
	 * (fexit, where function probes work); failure messages list these programs, so a packet that
	 * vanished at a device is not a mystery.
	 *
	 * @return the programs, each with whether its drops are traced (a probe on it) or why not;
	 *     empty when none is attached
	 */
	default List<XdpProgram> xdpPrograms() {
		return List.of();
	}

	/**
	 * When the trace started, on the events' clock: the origin of the times the pwru-style
	 * rendering shows ({@code io.tracepackets.assertj.error.PwruFormat}).
	 *
	 * @return CLOCK_MONOTONIC nanoseconds, comparable with {@link PacketEvent#timestampNanos()} and
	 *     {@link System#nanoTime()}
	 */
	long startNanos();

	/**
	 * A rule as a test types it, written the way the tool that wrote the rule that dropped
	 * {@code dropped} writes it, so that {@code wereDropped().byRule(...)} compares like with like:
	 * the live trace has that tool ({@code iptables-nft}, {@code ip6tables-nft},
	 * {@code iptables-legacy}, {@code ip6tables-legacy}, {@code nft}) add the text to an empty
	 * copy of the rule's table (its chains and sets, no rules) in a scratch network namespace and
	 * reads it back, as {@code iptables-save} or {@code nft -a list} prints it. Defaults and
	 * spellings are the tool's: {@code -p udp --dport 8096 -j REJECT} reads back as
	 * {@code -A INPUT -p udp -m udp --dport 8096 -j REJECT --reject-with icmp-port-unreachable}.
	 *
	 * @param dropped a path of this trace whose culprit is a netfilter rule (not a policy)
	 * @param typed iptables arguments, with or without {@code -A CHAIN} (without, the dropping
	 *     rule's chain), or an nft rule's statements, e.g. {@code "udp dport 9000 counter drop"}
	 * @return the rules the text makes, as {@link DropCulprit.NetfilterRule#rule()} shows rules:
	 *     usually one; more where the tool makes several of one text ({@code -s a,b}); by default,
	 *     for a trace that has no tool to ask, the text itself with its blanks collapsed
	 * @throws IllegalArgumentException when the tool refuses the text; the message is the tool's,
	 *     e.g. {@code iptables v1.8.9 (nf_tables): unknown option "--dprot"}
	 */
	default List<String> rulesAsWritten(PacketPath dropped, String typed) {
		return List.of(String.join(" ", typed.strip().split("\\s+")));
	}
}
