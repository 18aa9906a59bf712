package io.tracepackets.internal.session;

import io.tracepackets.ProbeCatalog;
import io.tracepackets.internal.backend.AttachResult;
import io.tracepackets.internal.backend.BackendSelection;
import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.internal.counts.CountMap;
import io.tracepackets.internal.drops.ClassificationsSeen;
import io.tracepackets.internal.event.EventDecoder;
import io.tracepackets.internal.event.StackMap;
import io.tracepackets.internal.netfilter.TracingTables;
import io.tracepackets.internal.netns.InterfaceNames;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything tracing needs once per JVM and configuration, started together and closed together:
 * the kernel's names (kallsyms, drop reasons: {@link KernelNames}, read after the start), the
 * attached {@link Probes}, the
 * {@link NamespaceFilter} the probes obey and the {@link EventPump} that drains them. Per-test
 * readers are built from its parts ({@link #pump()}, {@link #namespaceFilter()},
 * {@link #decoder}); the session knows none of them.
 */
public final class TraceSession implements AutoCloseable {

	private static final Logger LOG = LoggerFactory.getLogger(TraceSession.class);
	/** How long a closing session lets the sweep for killed JVMs' tables finish, so that a short-lived JVM still sweeps. */
	private static final Duration SWEEP_TIMEOUT = Duration.ofSeconds(10);

	private final KernelNames names;
	private final Probes probes;
	private final NamespaceFilter namespaceFilter;
	private final CountMap counts;
	private final EventPump pump;
	private final ProbeCatalog catalog;
	private final StackMap stacks;
	private final InterfaceNames interfaceNames = new InterfaceNames();
	private final SkippedRuns skippedRuns;
	private volatile boolean closed;

	private TraceSession(TracerOptions options) {
		KernelCapabilities.requireTracing();
		names = KernelNames.checked();
		probes = Probes.attach(options, names.kallsyms());
		// read now, in the background: the first test's first event then rarely waits for them
		names.readAhead(() -> !closed);
		// tracing tables a killed JVM left keep tracing the namespaces that outlive it: the first
		// session of a JVM looks for them everywhere it can reach, without holding the start up
		TracingTables.sweepEveryNamespace();
		try {
			counts = new CountMap(probes.map("counts"), probes.map("counters"), probes.map("hook_counts"));
			namespaceFilter = new NamespaceFilter(probes.map(ProbeObject.CONFIG_MAP), probes.map("netns_filter"),
					probes.followsCopies(), counts);
			pump = new EventPump(probes.map("events"), options.ringBufferBytes(), options.storeBudgetBytes(),
					options.snapLength(), probes.map("counters"), probes.program(ProbeObject.MARKER_PROGRAM));
		} catch (RuntimeException | Error e) {
			probes.close();
			throw e;
		}
		stacks = new StackMap(probes.map("stacks"));
		skippedRuns = SkippedRuns.of(probes.attachedLinks());
		BackendSelection selection = probes.selection();
		catalog = new KernelProbeCatalog(selection.chosen(), selection.functionBackend().isPresent(),
				selection.describe(), selection.summary(),
				probes.attachedTracepoints(), probes.functions().attached(), names.kallsyms(),
				() -> names.dropReasons().get().names(),
				options.functions(), selection.targets() == null ? List.of() : selection.targets().ambiguous(),
				probes.functions().notAttached(), probes.socketReceiveAttached() ? null : probes.socketReceiveStatus(),
				probes.followsCopies(), probes.recordedReturns(), probes.returnsMissing());
		LOG.info("tracer ready: {}; functions asked: {}", probes.describe(),
				options.functions() == null ? "every skb function" : "regex " + options.functions().pattern());
	}

	/**
	 * Attaches the probes and starts the pump (the kernel's names are read in the background
	 * meanwhile); TracingUnavailableException says why not.
	 */
	public static TraceSession start(TracerOptions options) {
		return new TraceSession(options);
	}

	/** Whether no test reads this session now: closing it would interrupt nobody. */
	public boolean isIdle() {
		return !pump.hasOpenCursors();
	}

	/**
	 * fexit probes on XDP programs, feeding this session's ring buffer; the caller (a window)
	 * closes them.
	 */
	public io.tracepackets.internal.xdp.XdpVerdictProbes xdpVerdictProbes() {
		// fexit on a program is a BPF trampoline, as fentry is: where the kernel refused the
		// tracer's own fentry programs for that, it refuses every one
		return new io.tracepackets.internal.xdp.XdpVerdictProbes(probes::map, ProbeObject.SHARED_MAPS,
				probes.selection().trampolinesRefused());
	}

	/**
	 * The probe runs the kernel skipped since the probes were attached (recursion, kprobe misses),
	 * every namespace counted; windows take the difference. None once the session is closed: its
	 * links' descriptors are gone then, and their numbers may belong to other files.
	 */
	public SkippedRuns.Counts skippedRuns() {
		return closed ? skippedRuns.none() : skippedRuns.read();
	}

	/** What this session's probes can see. */
	public ProbeCatalog catalog() {
		return catalog;
	}

	public EventPump pump() {
		return pump;
	}

	public NamespaceFilter namespaceFilter() {
		return namespaceFilter;
	}

	/**
	 * The probes' exact counts, per namespace: windows read them less the baseline their leases
	 * carry ({@link NamespaceFilter.Lease#countsAtLease()}).
	 */
	public CountMap counts() {
		return counts;
	}

	/** A decoder naming what the kernel gives as numbers; {@code interfaces} names devices per netns. */
	public EventDecoder decoder(EventDecoder.InterfaceResolver interfaces) {
		return new EventDecoder(names.kallsyms(), names.dropReasons(), stacks, interfaces);
	}

	/** Interface names per namespace, cached for the session (they rarely change during a test run). */
	public InterfaceNames interfaceNames() {
		return interfaceNames;
	}

	/** The backend in use, why, and why better ones were refused. */
	public BackendSelection backend() {
		return probes.selection();
	}

	/** The functions the function backend attached to (empty for tracepoints only). */
	public AttachResult functions() {
		return probes.functions();
	}

	public Duration loadTime() {
		return probes.loadTime();
	}

	public Duration attachTime() {
		return probes.attachTime();
	}

	/** How long {@link #close()} took to detach every probe. */
	public Duration detachTime() {
		return probes.detachTime();
	}

	/**
	 * Makes {@code other} (opened, not loaded) write into this session's maps, so its events land in
	 * the ring buffer this session reads: how a benchmark's synthetic feed (bench/, never shipped)
	 * joins a session.
	 */
	public void shareMapsWith(BpfObject other) {
		probes.shareMapsWith(other);
	}

	/**
	 * Stops the probes from keeping events, detaches them, lets the pump drain what is left, and
	 * frees the BPF object: libbpf's order (links, ring buffer, object). Idempotent.
	 */
	@Override
	public synchronized void close() {
		if (closed) {
			return;
		}
		closed = true;
		List<String> drops = ClassificationsSeen.lines();
		if (!drops.isEmpty()) {
			LOG.info("drops classified in this JVM so far:{}", drops.stream().map(d -> "\n  " + d).reduce("", String::concat));
		}
		namespaceFilter.stop();
		skippedRuns.close();
		probes.detach();
		LOG.info("tracer detached: backend={} functions={} in {} ms", probes.selection().chosen(),
				probes.functions().attached().size(), probes.detachTime().toMillis());
		// the tracing tables kept for the next test: none is left once the session is
		TracingTables.deleteIdle();
		pump.close();
		if (pump.readerStuck()) {
			return; // the ring buffer stays mapped: freeing its map under the reader would crash
		}
		probes.close();
		TracingTables.awaitSweep(SWEEP_TIMEOUT);
	}
}
