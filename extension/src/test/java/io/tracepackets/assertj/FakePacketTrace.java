package io.tracepackets.assertj;

import io.tracepackets.UnscopedContainer;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketPath;
import io.tracepackets.PacketTrace;
import io.tracepackets.ProbeCatalog;
import io.tracepackets.TracedNamespace;
import io.tracepackets.internal.drops.EventCopies;
import io.tracepackets.internal.window.PathAssembler;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.testcontainers.containers.Container;

/**
 * Test fixture: a finished trace over a fixed event list. {@link #flush()} counts its calls and
 * hands over the {@linkplain #withLateEvents late events}; {@link #events()} and {@link #paths()}
 * flush first, as the real snapshots do; {@link #awaitPaths} evaluates its condition once on what
 * has arrived, and the await timeout is zero.
 */
final class FakePacketTrace implements PacketTrace {

	static final long START = 1_000_000_000L;

	private List<PacketEvent> events;
	private List<PacketEvent> late = List.of();
	private final ProbeCatalog catalog;
	private final Map<Long, String> namespaces = new LinkedHashMap<>();
	private long lostEvents;
	private io.tracepackets.EventStoreOverflow storeOverflow;
	private long skippedRuns;
	/** Of {@link #skippedRuns}: the probe point each skipped run was at (a tracepoint or a function). */
	private final java.util.Map<String, Long> skippedAt = new java.util.HashMap<>();
	private int flushes;
	private java.util.function.Function<String, List<String>> ruleTool;
	/** Until a test names namespaces or empties the scope, the fake takes every namespace. */
	private boolean everyNamespace = true;
	private List<UnscopedContainer> unscopedContainers = List.of();

	FakePacketTrace(ProbeCatalog catalog, List<PacketEvent> events) {
		this.catalog = catalog;
		this.events = List.copyOf(events);
	}

	FakePacketTrace(List<PacketEvent> events) {
		this(FakeProbeCatalog.standard(), events);
	}

	/** Adds a namespace to the scope, with the label a container's name would give it. */
	FakePacketTrace withNetns(long inode, String label) {
		namespaces.put(inode, label);
		everyNamespace = false;
		return this;
	}

	/** Nothing in scope, as a test whose containers the extension did not find; these were left out. */
	FakePacketTrace withNothingInScope(UnscopedContainer... unscopedContainers) {
		namespaces.clear();
		everyNamespace = false;
		this.unscopedContainers = List.of(unscopedContainers);
		return this;
	}

	/** Every namespace in scope, as {@code @TracePackets(allNamespaces = true)}. */
	FakePacketTrace everyNamespace() {
		everyNamespace = true;
		return this;
	}

	@Override
	public boolean scopesEveryNamespace() {
		return everyNamespace;
	}

	/** A field the test holds, not annotated {@code @Container}. */
	static UnscopedContainer fieldNotAnnotated(String name, String type, String owner) {
		return new UnscopedContainer(UnscopedContainer.Holder.FIELD, name, type, owner, false);
	}

	@Override
	public List<UnscopedContainer> unscopedContainers() {
		return unscopedContainers;
	}

	/**
	 * What {@link #rulesAsWritten} answers, as a rule's tool would: the lines a typed text reads
	 * back as, or an {@link IllegalArgumentException} with the tool's refusal.
	 */
	FakePacketTrace withRuleTool(java.util.function.Function<String, List<String>> tool) {
		this.ruleTool = tool;
		return this;
	}

	@Override
	public List<String> rulesAsWritten(PacketPath dropped, String typed) {
		return ruleTool == null ? PacketTrace.super.rulesAsWritten(dropped, typed) : ruleTool.apply(typed);
	}

	private List<io.tracepackets.XdpProgram> xdpPrograms = List.of();

	/** The XDP programs attached in the traced namespaces, as failure messages list them. */
	FakePacketTrace withXdpPrograms(io.tracepackets.XdpProgram... programs) {
		this.xdpPrograms = List.of(programs);
		return this;
	}

	@Override
	public List<io.tracepackets.XdpProgram> xdpPrograms() {
		return xdpPrograms;
	}

	/** Every drop without a culprit says {@code why} none was named, as the drop attribution would give it. */
	FakePacketTrace withWhyNoCulprit(String why) {
		this.events = events.stream().map(e -> e.isDrop() && e.culprit().isEmpty() ? EventCopies.withWhyNoCulprit(e, why)
				: e).toList();
		return this;
	}

	/** Probe runs the kernel skipped at {@code where}; they count in {@link #lostEvents()} too, as a real trace's do. */
	FakePacketTrace withSkippedRuns(long skipped, String where) {
		this.skippedRuns += skipped;
		skippedAt.merge(where, skipped, Long::sum);
		return this;
	}

	@Override
	public long skippedProbeRuns() {
		return skippedRuns;
	}

	@Override
	public long skippedProbeRuns(String where) {
		return skippedAt.getOrDefault(where, 0L);
	}

	/** The fake's tracepoints: those of the tracepoint backend. */
	@Override
	public long skippedTracepointRuns() {
		return java.util.stream.Stream.of("kfree_skb", "consume_skb", "netif_receive_skb", "net_dev_queue", "netif_rx",
				"net_dev_start_xmit", "skb_copy_datagram_iovec").mapToLong(this::skippedProbeRuns).sum();
	}

	private io.tracepackets.KernelCounts counts;

	/** What the kernel counted, as {@link #counts()} reads it; without it the fake keeps no counts. */
	FakePacketTrace withCounts(io.tracepackets.KernelCounts counts) {
		this.counts = counts;
		return this;
	}

	@Override
	public io.tracepackets.KernelCounts counts() {
		return counts == null ? PacketTrace.super.counts() : counts;
	}

	FakePacketTrace withLostEvents(long lost) {
		this.lostEvents = lost;
		return this;
	}

	/** Events the store had no room for: they count in {@link #lostEvents()} too, as a real trace's do. */
	FakePacketTrace withStoreOverflow(long events, long budgetBytes, long neededBytes) {
		this.storeOverflow = new io.tracepackets.EventStoreOverflow(events, budgetBytes, neededBytes);
		this.lostEvents += events;
		return this;
	}

	@Override
	public java.util.Optional<io.tracepackets.EventStoreOverflow> storeOverflow() {
		return java.util.Optional.ofNullable(storeOverflow);
	}

	/**
	 * Events the reader has not handed over yet: the trace shows them only from the next
	 * {@link #flush()} on, as it would a drop that came late.
	 */
	FakePacketTrace withLateEvents(List<PacketEvent> late) {
		this.late = List.copyOf(late);
		return this;
	}

	int flushes() {
		return flushes;
	}

	/** Like the real trace's snapshots, flushes first: a late event is in it. */
	@Override
	public List<PacketEvent> events() {
		flush();
		return events;
	}

	/** Like the real trace's snapshots, flushes first: a late event is in it. */
	@Override
	public List<PacketPath> paths() {
		flush();
		return PathAssembler.group(events);
	}

	@Override
	public void flush() {
		flushes++;
		events = Stream.concat(events.stream(), late.stream()).toList();
		late = List.of();
	}

	@Override
	public boolean awaitPaths(Predicate<? super List<PacketPath>> condition, Duration timeout) {
		// what has arrived, as the real trace polls it: no flush
		return condition.test(PathAssembler.group(events));
	}

	@Override
	public Duration awaitTimeout() {
		return Duration.ZERO;
	}

	@Override
	public long lostEvents() {
		return lostEvents + skippedRuns;
	}

	@Override
	public PacketTrace scope(Container<?> container) {
		throw new UnsupportedOperationException();
	}

	@Override
	public PacketTrace scope(Path netnsPath) {
		throw new UnsupportedOperationException();
	}

	@Override
	public PacketTrace scopeNetns(long inode) {
		namespaces.putIfAbsent(inode, Long.toString(inode));
		return this;
	}

	@Override
	public PacketTrace scopeHostNetwork() {
		throw new UnsupportedOperationException();
	}

	@Override
	public List<TracedNamespace> namespaces() {
		return namespaces.entrySet().stream().map(e -> new TracedNamespace(e.getKey(), e.getValue())).toList();
	}

	@Override
	public ProbeCatalog probes() {
		return catalog;
	}

	@Override
	public long startNanos() {
		return START;
	}
}
