package io.tracepackets.internal.live;

import io.tracepackets.Backend;
import io.tracepackets.KernelCounts;
import io.tracepackets.PacketEvent;
import io.tracepackets.TracePacketsException;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.containers.NamedContainer;
import io.tracepackets.internal.counts.CountBaseline;
import io.tracepackets.internal.counts.Counted;
import io.tracepackets.internal.drops.DropAttribution;
import io.tracepackets.internal.drops.EventCopies;
import io.tracepackets.internal.event.EventDecoder;
import io.tracepackets.internal.netfilter.RuleTracing;
import io.tracepackets.internal.netns.NetworkNamespace;
import io.tracepackets.internal.session.EventCursor;
import io.tracepackets.internal.session.NamespaceFilter;
import io.tracepackets.internal.session.SkippedRuns;
import io.tracepackets.internal.session.TraceSession;
import io.tracepackets.internal.session.TracerOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The tracing engine for a consumer that reads events as they come rather than asserting on a
 * test's window: the command line ({@code tracepackets-cli}). The one internal entry point of the
 * engine meant for code outside this jar (the cli module's ArchitectureTest holds it to that): a
 * {@link TraceSession} with the probes the options ask for, leases on the namespaces to trace, a
 * cursor, and a decoder. Not thread-safe: one thread polls; {@link #close()} from another is fine.
 */
public final class LiveTrace implements AutoCloseable {

	/**
	 * What to trace.
	 *
	 * @param netns namespaces: a path ({@code /run/netns/blue}, {@code /proc/42/ns/net}), a pid,
	 *     or {@code inode:4026531840}; with {@code containers} empty too: this process's own namespace
	 * @param containers Docker containers, by name or id, whose namespaces are traced too
	 * @param allNamespaces every namespace of the machine, whatever {@code netns} says
	 * @param backend how kernel functions are probed
	 * @param functions which skb functions (a regex found in the name), or null: all
	 * @param snapLength packet bytes per event, 0 for none
	 * @param allDropStacks every drop carries its kernel stack (else netfilter drops only)
	 * @param pcapFilter a libpcap filter expression run in the kernel, or null: every packet
	 */
	public record Options(List<String> netns, List<String> containers, boolean allNamespaces, Backend backend,
			String functions, int snapLength, boolean allDropStacks, String pcapFilter) {

		public Options {
			netns = List.copyOf(netns);
			containers = List.copyOf(containers);
		}
	}

	/**
	 * The most events decoded and handed over at once: a reader far behind a flood catches up in
	 * batches this size, so that what it holds decoded stays a few megabytes.
	 */
	public static final int BATCH_EVENTS = 4096;
	/**
	 * The store's budget: bytes of raw events kept between the ring buffer and the reader (a
	 * test's window keeps up to {@link TracerOptions#DEFAULT_STORE_BUDGET_BYTES}). The reader
	 * forgets each batch once handed over, so this holds only what it has not caught up with (some
	 * 190,000 events of an IPv4 flood, at about 88 bytes each without packet bytes); beyond it
	 * events are lost, and counted as lost, rather than kept: the command line's memory stays
	 * bounded under any flood.
	 */
	public static final long STORE_BYTES = 16L << 20;

	private final TraceSession session;
	private final List<NamespaceFilter.Lease> leases = new ArrayList<>();
	private final Map<Long, NetworkNamespace> namespaces = new ConcurrentHashMap<>();
	private final boolean allNamespaces;
	private final EventCursor cursor;
	private final EventDecoder decoder;
	private final Map<Long, String> interfaceCache = new ConcurrentHashMap<>();
	/** When the probes were ready: times are relative to it. */
	private final long startNanos;
	private long seen;
	/** Under every namespace: when rules began to be named in each (see attributeFromNowOn), by inode. */
	private final Map<Long, Long> attributedSince = new java.util.HashMap<>();
	private final SkippedRuns.Counts skippedAtStart;
	/** The kernel's exact counts of the traced namespaces since their leases. */
	private final Counted counted;
	/** The namespaces whose counts are read, by inode (all of them under {@link #allNamespaces}). */
	private final java.util.Set<Long> counting = new java.util.HashSet<>();
	/** Names the rule or program behind each drop, as a failing test's message does. */
	private final DropAttribution rules = new DropAttribution(new RuleTracing());

	private LiveTrace(Options options, TracerOptions tracer, List<NetworkNamespace> scope) {
		this.allNamespaces = options.allNamespaces();
		scope.forEach(n -> namespaces.put(n.inode(), n));
		session = TraceSession.start(tracer);
		try {
			decoder = session.decoder(this::interfaceName);
			CountBaseline baseline = new CountBaseline();
			counted = new Counted(session.counts(), baseline, decoder);
			if (allNamespaces) {
				leases.add(session.namespaceFilter().leaseAll());
			}
			for (NetworkNamespace namespace : scope) {
				leases.add(session.namespaceFilter().lease(namespace.inode()));
				counting.add(namespace.inode());
			}
			leases.forEach(lease -> baseline.include(lease.countsAtLease()));
			refuseIgnoredFunctions(options);
			scope.forEach(rules::add);
			cursor = session.pump().openCursor();
			skippedAtStart = session.skippedRuns();
			startNanos = System.nanoTime();
		} catch (RuntimeException | Error e) {
			rules.close();
			leases.forEach(NamespaceFilter.Lease::close);
			session.close();
			throw e;
		}
	}

	/**
	 * Functions asked for where no function backend runs would trace none of them, silently: the
	 * tracepoints alone run. Refused instead, with why each backend was refused, as pwru refuses.
	 */
	private void refuseIgnoredFunctions(Options options) {
		if (options.functions() == null || options.functions().isBlank()) {
			return;
		}
		if (session.backend().functionBackend().isEmpty()) {
			throw new TracingUnavailableException("kernel functions matching " + options.functions(),
					"no function backend runs on this kernel, so only the skb tracepoints could be traced ("
							+ session.backend().describe() + "); drop the function filter to trace the tracepoints,"
							+ " or run on a kernel with kprobes or fentry");
		}
		if (session.functions().attached().isEmpty()) {
			throw new IllegalArgumentException("no kernel function taking an skb matches " + options.functions()
					+ " (" + session.backend().chosen().label() + " backend): e.g. ip_rcv, or \".*udp.*\"");
		}
	}

	/**
	 * Checks the options, then loads and attaches the probes; the trace runs from the return on.
	 *
	 * @throws IllegalArgumentException for bad options (an unknown namespace, a bad regex), with
	 *     what to fix
	 * @throws io.tracepackets.TracingUnavailableException when the kernel cannot trace, with why
	 */
	public static LiveTrace start(Options options) {
		List<NetworkNamespace> scope = new ArrayList<>();
		for (String spec : options.netns()) {
			scope.add(namespace(spec));
		}
		for (String container : options.containers()) {
			scope.add(container(container));
		}
		if (scope.isEmpty() && !options.allNamespaces()) {
			scope.add(NetworkNamespace.ofPath(Path.of("/proc/self/ns/net")));
		}
		Pattern functions = TracerOptions.functionPattern(options.functions());
		TracerOptions tracer = TracerOptions.defaults().withBackend(options.backend(), functions)
				.withAllDropStacks(options.allDropStacks()).withSnapLength(options.snapLength())
				.withPcapFilter(options.pcapFilter()).withStoreBudgetBytes(STORE_BYTES);
		if (tracer.pcapFilter() != null) {
			try {
				// compiled again by the session; here so that a bad expression is bad usage, said first
				io.tracepackets.internal.pcap.PcapFilter.compile(tracer.pcapFilter());
			} catch (io.tracepackets.TracePacketsException e) {
				throw new IllegalArgumentException(e.getMessage(), e);
			}
		}
		return new LiveTrace(options, tracer, scope);
	}

	/**
	 * {@code event} without its packet bytes: for a reader that captured them to filter on, not to
	 * show.
	 */
	public static PacketEvent withoutPacketBytes(PacketEvent event) {
		return EventCopies.withoutPacketBytes(event);
	}

	/**
	 * The inode of a namespace given as {@code --netns} takes it.
	 *
	 * @throws IllegalArgumentException when it names no namespace, with what to give instead
	 */
	public static long inodeOf(String spec) {
		return namespace(spec).inode();
	}

	/** A Docker container's namespace, found by the engine as a test's container's is. */
	static NetworkNamespace container(String reference) {
		try {
			// one this process cannot enter is still traced by its inode; its interfaces go unnamed
			return NamedContainer.namespace(reference.strip());
		} catch (TracingUnavailableException e) {
			throw e;
		} catch (TracePacketsException e) {
			throw new IllegalArgumentException("--container " + reference + ": " + e.getMessage(), e);
		}
	}

	/** {@code /run/netns/blue}, {@code 4242} (a pid) or {@code inode:4026531840}. */
	static NetworkNamespace namespace(String spec) {
		String text = spec.strip();
		try {
			if (text.startsWith("inode:")) {
				return NetworkNamespace.ofInode(Long.parseLong(text.substring("inode:".length())));
			}
			if (text.chars().allMatch(Character::isDigit) && !text.isEmpty()) {
				return NetworkNamespace.ofPid(Long.parseLong(text));
			}
			if (text.startsWith("/") || text.startsWith(".")) {
				if (!java.nio.file.Files.exists(Path.of(text))) {
					throw new IllegalArgumentException("--netns " + spec + ": no such file; named namespaces are in"
							+ " /run/netns (ip netns list), a process's in /proc/PID/ns/net");
				}
				return NetworkNamespace.ofPath(Path.of(text));
			}
		} catch (NumberFormatException e) {
			// the message below says what is expected
		} catch (TracePacketsException e) {
			throw new IllegalArgumentException("--netns " + spec + ": " + e.getMessage(), e);
		}
		throw new IllegalArgumentException("--netns " + spec + ": not a namespace; give a path (/run/netns/NAME,"
				+ " /proc/PID/ns/net), a pid, or inode:N (the number ip netns/lsns show)");
	}

	private String interfaceName(long netns, int ifindex) {
		NetworkNamespace namespace = namespaces.computeIfAbsent(netns,
				inode -> NetworkNamespace.find(inode).orElse(null));
		if (namespace == null) {
			return null;
		}
		String name = interfaceCache.computeIfAbsent(netns << 32 | Integer.toUnsignedLong(ifindex), key -> {
			try {
				return session.interfaceNames().name(namespace, ifindex).orElse("");
			} catch (RuntimeException gone) {
				return "";
			}
		});
		return name.isEmpty() ? null : name;
	}

	/**
	 * Hands the events that arrived since the last call to {@code consumer}, in order, at most
	 * {@link #BATCH_EVENTS} of them, then lets the store recycle them: nothing handed over is kept.
	 * When none arrived, waits up to {@code waitNanos} for some first.
	 *
	 * @return how many events were read from the kernel's stream (handed over or not: outside the
	 *     traced namespaces, or a verdict waiting for its drop); 0 when it had none, so that a
	 *     reader drains after {@link #stop()} by calling until 0
	 */
	public int poll(Consumer<PacketEvent> consumer, long waitNanos) {
		List<PacketEvent> batch = new ArrayList<>();
		EventCursor.RecordConsumer handler = record -> {
			PacketEvent event = decoder.decode(record);
			if (allNamespaces || namespaces.containsKey(event.netns())) {
				batch.add(event);
			}
		};
		int read = cursor.read(handler, BATCH_EVENTS);
		if (read == 0 && waitNanos > 0 && !cursor.isClosed()) {
			cursor.awaitProgress(waitNanos);
			read = cursor.read(handler, BATCH_EVENTS);
		}
		if (allNamespaces) {
			attributeFromNowOn(batch);
		}
		// Netfilter's trace of a drop is queued before the drop's event; an XDP verdict waits for
		// its free in the next batch, until the cursor is closed and nothing more comes.
		List<PacketEvent> attributed = rules.attribute(batch, cursor.isClosed()).stream()
				.map(this::withWhyNoRuleYet).toList();
		seen += attributed.size();
		attributed.forEach(consumer);
		cursor.forgetRead();
		return read;
	}

	/**
	 * Under every namespace, rules are named in a namespace from its first drop on: a tracing table
	 * in each namespace of the machine up front would trace every packet of every one.
	 */
	private void attributeFromNowOn(List<PacketEvent> batch) {
		for (PacketEvent event : batch) {
			if (event.isDrop() && attributedSince.putIfAbsent(event.netns(), event.timestampNanos()) == null) {
				NetworkNamespace.find(event.netns()).ifPresent(rules::add);
			}
		}
	}

	/**
	 * Whether {@code event} is a drop that a rule or program makes (netfilter, tc, XDP), whose
	 * culprit the output names, or why none ({@link PacketEvent#whyNoCulprit()}); other drops'
	 * sentences say what did.
	 */
	public static boolean namesItsCulprit(PacketEvent event) {
		return DropAttribution.isRuleOrProgramDrop(event);
	}

	/**
	 * A drop in a namespace whose rules were not named yet when it happened, with that as why it
	 * names no culprit: with every namespace traced, rules are named in a namespace from its first
	 * drop on. Other events unchanged.
	 */
	private PacketEvent withWhyNoRuleYet(PacketEvent drop) {
		if (!allNamespaces || drop.culprit().isPresent() || !DropAttribution.isRuleOrProgramDrop(drop)) {
			return drop;
		}
		Long since = attributedSince.get(drop.netns());
		if (since == null || drop.timestampNanos() > since) {
			return drop;
		}
		return EventCopies.withWhyNoCulprit(drop, "with every namespace traced, rules are named in a namespace from its"
				+ " first drop on (tracing them up front would trace every packet of every namespace): --netns inode:"
				+ drop.netns() + " names the first drop's too");
	}

	/** Stops taking new events once every event the kernel produced until now is read; then {@link #poll} drains the rest. */
	public void stop() {
		cursor.close();
	}

	/**
	 * What the probes counted in the kernel in the traced namespaces since the start: every event
	 * they would emit, lost or not, so exact under any flood. Read it before {@link #close()},
	 * which lets the kernel forget them.
	 */
	public KernelCounts counts() {
		return counted.read(netns -> allNamespaces || counting.contains(netns));
	}

	/** Events handed over so far. */
	public long events() {
		return seen;
	}

	/** Events the kernel produced for this trace but could not deliver (ring buffer or store full). */
	public long lost() {
		return cursor.lost();
	}

	/**
	 * Probe runs the kernel skipped since the start (a probe already running on that CPU, a kprobe
	 * inside another's handler): events that never were; 0 once closed.
	 */
	public long skippedRuns() {
		return session.skippedRuns().since(skippedAtStart).total();
	}

	/** CLOCK_MONOTONIC at the start, for relative times. */
	public long startNanos() {
		return startNanos;
	}

	/** The namespaces traced by inode, and their labels ({@code /run/netns/blue}, {@code process 42}). */
	public Map<Long, String> namespaces() {
		Map<Long, String> labels = new java.util.LinkedHashMap<>();
		namespaces.forEach((inode, n) -> labels.put(inode, n.label()));
		return labels;
	}

	/** The backend in use and why, for the ready line. */
	public String describe() {
		return session.backend().chosen().label() + " backend, " + session.catalog().observed().size()
				+ " probe points (" + session.functions().attached().size() + " kernel functions)";
	}

	/** Why the backend is the one in use, and why better ones were refused. */
	public String backendReason() {
		return session.backend().describe();
	}

	/** Optional: a label for a namespace inode, when it is one of those asked for. */
	public Optional<String> label(long inode) {
		return Optional.ofNullable(namespaces.get(inode)).map(NetworkNamespace::label);
	}

	/** Detaches the probes and frees everything; idempotent. */
	@Override
	public void close() {
		try {
			cursor.release();
		} finally {
			try {
				rules.close();
			} finally {
				leases.forEach(NamespaceFilter.Lease::close);
				session.close();
			}
		}
	}
}
