package io.tracepackets.internal.window;

import io.tracepackets.DropCulprit;
import io.tracepackets.EventStoreOverflow;
import io.tracepackets.KernelCounts;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketPath;
import io.tracepackets.PacketTrace;
import io.tracepackets.ProbeCatalog;
import io.tracepackets.TracedNamespace;
import io.tracepackets.UnscopedContainer;
import io.tracepackets.XdpProgram;
import io.tracepackets.internal.containers.ContainerNamespaces;
import io.tracepackets.internal.counts.CountBaseline;
import io.tracepackets.internal.counts.Counted;
import io.tracepackets.internal.drops.DropAttribution;
import io.tracepackets.internal.event.EventDecoder;
import io.tracepackets.internal.netfilter.CanonicalRules;
import io.tracepackets.internal.netfilter.RuleTracing;
import io.tracepackets.internal.netns.InterfaceNames;
import io.tracepackets.internal.netns.NetworkNamespace;
import io.tracepackets.internal.session.EventCursor;
import io.tracepackets.internal.session.SkippedRuns;
import io.tracepackets.internal.session.TraceSession;
import io.tracepackets.internal.xdp.XdpPrograms;
import io.tracepackets.internal.xdp.XdpVerdictProbes;
import io.tracepackets.traffic.SendShortfalls;
import io.tracepackets.SendShortfall;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.Predicate;
import org.testcontainers.containers.Container;

/**
 * One test's trace: the events of the session from this window's opening to its closing, in its
 * {@link Scope}. Each event is decoded, checked against the scope and grouped into a path once,
 * when the window first reads past it; {@link #paths()} and waiting reuse that work. The window
 * keeps the records, not the decoded events ({@link EventLog}): its lists decode as they are read.
 * Snapshots flush first, so they hold every event the kernel produced before the call; waiting
 * polls what has arrived. Closing reads the rest and takes over the store's chunks that hold the
 * window's records, so a closed window keeps its events without holding the session's store.
 */
public final class TraceWindow implements PacketTrace, AutoCloseable {

	/**
	 * How long a flush waits for a reader that consumes nothing before calling it stuck. A starved
	 * machine can hold the reader thread off the CPU for seconds (a repeated run beside two VMs loaded
	 * the probes in 21 s instead of 0.4 s and saw no progress for 10 s); a sound reader always moves.
	 */
	private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(30);
	/** How long one wait lasts before the window looks again, even without a wake-up. */
	private static final long AWAIT_SLICE_NANOS = 50_000_000L;
	/**
	 * Records decoded at once: what a read holds decoded before it lets go of them stays small
	 * however many events arrived since the last.
	 */
	private static final int BATCH = 16_384;

	private final EventCursor cursor;
	private final Scope scope;
	private final ProbeCatalog catalog;
	private final Duration awaitTimeout;
	private final EventDecoder decoder;
	private final InterfaceNames interfaceNames;
	private final long startNanos = System.nanoTime();
	private final Map<Long, String> interfaceCache = new ConcurrentHashMap<>();
	private final EventLog events;
	private final PathAssembler paths;
	/** Events the last read handed to drop attribution that it may give back in the next. */
	private List<Handed.Entry> carried = List.of();
	private final DropAttribution culprits;
	private final XdpVerdictProbes xdpProbes;
	private volatile List<UnscopedContainer> unscopedContainers = List.of();
	/** Sends made after this (on the opening thread) are the test's. */
	private final long sendMark = SendShortfalls.mark();
	private final Supplier<SkippedRuns.Counts> skippedRuns;
	private final SkippedRuns.Counts skippedAtOpen;
	/** The counts at close, once closed: the session's links may be gone by the next read. */
	private volatile SkippedRuns.Counts skippedAtClose;
	/** A flush completed since the last read: the next read holds everything written before it. */
	private volatile boolean flushed;
	/** The counts' totals when each namespace was scoped (its lease's). */
	private final CountBaseline countBaseline = new CountBaseline();
	/** The probes' exact counts, shared by every window; this one's are the totals less {@link #countBaseline}. */
	private final Counted counted;
	/** The counts at close, once closed: the session deletes a namespace's counts once no window scopes it. */
	private volatile KernelCounts countsAtClose;

	private TraceWindow(TraceSession session, Duration awaitTimeout, boolean netfilterRules) {
		this.catalog = session.catalog();
		this.awaitTimeout = awaitTimeout;
		this.culprits = new DropAttribution(new RuleTracing(netfilterRules));
		this.interfaceNames = session.interfaceNames();
		this.decoder = session.decoder(this::interfaceName);
		this.counted = new Counted(session.counts(), countBaseline, decoder);
		this.scope = new Scope(session.namespaceFilter(), countBaseline);
		this.cursor = session.pump().openCursor();
		this.events = new EventLog(decoder, cursor);
		this.paths = new PathAssembler(events::get);
		this.xdpProbes = session.xdpVerdictProbes();
		this.skippedRuns = session::skippedRuns;
		this.skippedAtOpen = skippedRuns.get();
	}

	/** A window over the session's events from now on, with an empty scope; netfilter rules named. */
	public static TraceWindow open(TraceSession session, Duration awaitTimeout) {
		return open(session, awaitTimeout, true);
	}

	/**
	 * A window over the session's events from now on, with an empty scope.
	 *
	 * @param awaitTimeout how long positive assertions wait for events
	 * @param netfilterRules whether netfilter drops are attributed to their rule (see {@link RuleTracing})
	 */
	public static TraceWindow open(TraceSession session, Duration awaitTimeout, boolean netfilterRules) {
		return new TraceWindow(session, awaitTimeout, netfilterRules);
	}

	private String interfaceName(long netns, int ifindex) {
		long key = netns << 32 | Integer.toUnsignedLong(ifindex);
		String known = interfaceCache.get(key);
		if (known != null) {
			// as the event was first decoded: the window decodes its records again on each read,
			// when the namespace may be out of scope or gone
			return known.isEmpty() ? null : known;
		}
		NetworkNamespace namespace = scope.namespace(netns).orElse(null);
		if (namespace == null) {
			return null;
		}
		// One lookup per (netns, ifindex) and trace: a miss makes InterfaceNames re-read the netns.
		String name = interfaceCache.computeIfAbsent(key, unknown -> {
			try {
				return interfaceNames.name(namespace, ifindex).orElse("");
			} catch (RuntimeException gone) {
				return "";
			}
		});
		return name.isEmpty() ? null : name;
	}

	/** Takes in what arrived since the last call: decode, scope, group, once per event, a batch at a time. */
	private synchronized void readNew() {
		// Netfilter's trace of a drop is queued before the drop's event: naming the rule never waits.
		boolean complete = flushed;
		flushed = false;
		int count;
		do {
			Handed batch = new Handed(carried);
			count = cursor.read((position, record) -> {
				PacketEvent event = decoder.decode(record);
				if (scope.contains(event.netns())) {
					batch.add(position, event);
				}
			}, BATCH);
			List<PacketEvent> attributed = culprits.attribute(batch.events.subList(carried.size(), batch.events.size()),
					complete && count < BATCH);
			carried = batch.match(attributed, (position, decoded, event) -> paths.add(event, events.add(position, decoded, event)));
		} while (count == BATCH);
	}

	/**
	 * The events of one read as handed to drop attribution, with where their records are, after
	 * those of the last read that it may have held back: what it gives back is these events in
	 * their order, some left out (an XDP verdict that became a drop's culprit), some held back for
	 * the next read (an XDP verdict whose skb free may come in the next batch), and drops copied
	 * with their culprit. Matched by identity (time, CPU, skb, probe), which the copies keep.
	 */
	private static final class Handed {

		private final List<PacketEvent> events = new ArrayList<>();
		private long[] positions = new long[64];

		/** Starts with {@code carried}: what the last read handed and got nothing back for yet (XDP verdicts). */
		Handed(List<Handed.Entry> carried) {
			for (Entry entry : carried) {
				add(entry.position(), entry.decoded());
			}
		}

		record Entry(long position, PacketEvent decoded) {
		}

		interface Matched {
			void accept(long position, PacketEvent decoded, PacketEvent attributed);
		}

		void add(long position, PacketEvent event) {
			if (events.size() == positions.length) {
				positions = Arrays.copyOf(positions, positions.length * 2);
			}
			positions[events.size()] = position;
			events.add(event);
		}

		/**
		 * Hands each of {@code attributed} to {@code matched} with its record; returns the XDP
		 * verdicts of this read that did not come back, which attribution may give back next time.
		 */
		List<Entry> match(List<PacketEvent> attributed, Matched matched) {
			List<Entry> carry = new ArrayList<>();
			int next = 0;
			for (PacketEvent event : attributed) {
				while (next < events.size() && !sameEvent(events.get(next), event)) {
					carryIfHeld(next++, carry);
				}
				if (next == events.size()) {
					throw new IllegalStateException("drop attribution gave back an event it was not given: " + event);
				}
				matched.accept(positions[next], events.get(next), event);
				next++;
			}
			while (next < events.size()) {
				carryIfHeld(next++, carry);
			}
			return carry;
		}

		private void carryIfHeld(int index, List<Entry> carry) {
			PacketEvent left = events.get(index);
			if (DropAttribution.isXdpVerdict(left)) {
				carry.add(new Entry(positions[index], left));
			}
		}

		private static boolean sameEvent(PacketEvent handed, PacketEvent back) {
			return handed == back || handed.timestampNanos() == back.timestampNanos() && handed.cpu() == back.cpu()
					&& handed.skb() == back.skb() && handed.kind() == back.kind() && handed.where().equals(back.where());
		}
	}

	@Override
	public List<PacketEvent> events() {
		// Complete up to the call: a test that reads right after sending must see what it sent.
		flush();
		synchronized (this) {
			readNew();
			return events.range(0, events.size());
		}
	}

	@Override
	public List<PacketPath> paths() {
		flush();
		return arrivedPaths();
	}

	/** The paths of what has arrived, without asking the kernel for the rest: for polling. */
	private synchronized List<PacketPath> arrivedPaths() {
		readNew();
		return paths.paths();
	}

	@Override
	public void flush() {
		cursor.flush(FLUSH_TIMEOUT);
		flushed = true;
	}

	@Override
	public List<String> rulesAsWritten(PacketPath dropped, String typed) {
		DropCulprit.NetfilterRule rule = dropped.culprit().filter(DropCulprit.NetfilterRule.class::isInstance)
				.map(DropCulprit.NetfilterRule.class::cast).orElse(null);
		if (rule == null) {
			return PacketTrace.super.rulesAsWritten(dropped, typed);
		}
		NetworkNamespace netns = dropped.drop().flatMap(drop -> scope.namespace(drop.netns())).orElse(null);
		return CanonicalRules.canonical(netns, rule, typed);
	}

	@Override
	public List<XdpProgram> xdpPrograms() {
		return culprits.xdpPrograms().stream().map(program -> new XdpProgram(program.name(), program.id(),
				program.device(), program.mode(), xdpProbes.whyNotTraced(program.id()))).toList();
	}

	@Override
	public boolean awaitPaths(Predicate<? super List<PacketPath>> condition, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			if (condition.test(arrivedPaths())) {
				return true;
			}
			long left = deadline - System.nanoTime();
			if (left <= 0 || cursor.isClosed()) {
				return false;
			}
			cursor.awaitProgress(Math.min(left, AWAIT_SLICE_NANOS));
		}
	}

	@Override
	public Duration awaitTimeout() {
		return awaitTimeout;
	}

	@Override
	public KernelCounts counts() {
		KernelCounts closedAt = countsAtClose;
		return closedAt != null ? closedAt : readCounts();
	}

	/** The kernel's counts of the namespaces in scope, less each one's baseline, named as events are. */
	private KernelCounts readCounts() {
		return counted.read(scope::contains);
	}

	@Override
	public long lostEvents() {
		return cursor.lost() + skippedProbeRuns();
	}

	@Override
	public Optional<EventStoreOverflow> storeOverflow() {
		long overflowed = cursor.overflowed();
		return overflowed == 0 ? Optional.empty() : Optional.of(new EventStoreOverflow(overflowed,
				cursor.budgetBytes(), cursor.storedBytes() + cursor.overflowedBytes()));
	}

	@Override
	public long skippedProbeRuns() {
		return skippedSinceOpen().total();
	}

	@Override
	public long skippedProbeRuns(String where) {
		return skippedSinceOpen().at(where);
	}

	@Override
	public long skippedTracepointRuns() {
		return skippedSinceOpen().atTracepoints();
	}

	private SkippedRuns.Counts skippedSinceOpen() {
		SkippedRuns.Counts closedAt = skippedAtClose;
		return (closedAt != null ? closedAt : skippedRuns.get()).since(skippedAtOpen);
	}

	@Override
	public PacketTrace scope(Container<?> container) {
		add(ContainerNamespaces.of(container));
		return this;
	}

	/**
	 * Scopes a container the test knows by a name of its own (a Spring bean's), which its label
	 * shows first: {@code bean netbox, container wonderful_mestorf (3481ef82500c) (pid 23734)}.
	 */
	public PacketTrace scope(Container<?> container, String name) {
		NetworkNamespace netns = ContainerNamespaces.of(container);
		add(netns.relabel(name + ", " + netns.label()));
		return this;
	}

	@Override
	public PacketTrace scope(Path netnsPath) {
		add(NetworkNamespace.ofPath(netnsPath));
		return this;
	}

	@Override
	public PacketTrace scopeNetns(long inode) {
		add(NetworkNamespace.ofInode(inode));
		return this;
	}

	@Override
	public PacketTrace scopeHostNetwork() {
		add(NetworkNamespace.host());
		return this;
	}

	private void add(NetworkNamespace namespace) {
		if (scope.add(namespace)) {
			// The session caches interface names by netns inode, and the kernel reuses the inode of
			// a namespace that is gone: each window reads its namespaces' names afresh.
			interfaceNames.forget(namespace);
		}
		culprits.add(namespace);
		// XDP programs are looked up when a namespace is scoped (again): one attached later is
		// traced once the test scopes its namespace again. Not where no program can be probed.
		if (xdpProbes.canProbe()) {
			List<XdpPrograms.Program> xdp = XdpPrograms.attached(namespace);
			if (!xdp.isEmpty()) {
				xdpProbes.trace(xdp);
			}
		}
	}

	/** Traces every namespace (noisy: for exploring). */
	public void scopeEveryNamespace() {
		scope.addEveryNamespace();
	}

	@Override
	public List<TracedNamespace> namespaces() {
		return scope.list();
	}

	@Override
	public boolean scopesEveryNamespace() {
		return scope.coversEveryNamespace();
	}

	/** What the test holds that could have been scoped, for the message of an empty scope. */
	public void unscopedContainers(List<UnscopedContainer> containers) {
		this.unscopedContainers = List.copyOf(containers);
	}

	@Override
	public List<UnscopedContainer> unscopedContainers() {
		return unscopedContainers;
	}

	@Override
	public List<SendShortfall> sendsThatFellShort() {
		return SendShortfalls.since(sendMark);
	}

	@Override
	public ProbeCatalog probes() {
		return catalog;
	}

	@Override
	public long startNanos() {
		return startNanos;
	}

	/** Ends the window: flushes, reads the rest, and lets the session forget its events and scope. */
	@Override
	public void close() {
		try {
			skippedAtClose = skippedRuns.get();
			cursor.close();
			readNew();
			synchronized (this) {
				events.archive();
			}
			// before the leases go: the last one on a namespace deletes its counts
			countsAtClose = readCounts();
		} finally {
			cursor.release();
			scope.close();
			culprits.close();
			xdpProbes.close();
		}
	}

	@Override
	public String toString() {
		return "PacketTrace[" + scope + ", backend " + catalog.backend() + ", " + paths().size() + " packets]";
	}
}
