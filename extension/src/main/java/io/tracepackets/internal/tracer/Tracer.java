package io.tracepackets.internal.tracer;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.tracepackets.Backend;
import io.tracepackets.TracePacketsException;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.backend.AttachResult;
import io.tracepackets.internal.backend.BackendDetector;
import io.tracepackets.internal.backend.BackendSelection;
import io.tracepackets.internal.backend.FunctionAttacher;
import io.tracepackets.internal.backend.ProbeTargets;
import io.tracepackets.internal.bpf.BpfMap;
import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.internal.bpf.BpfProgram;
import io.tracepackets.internal.ffi.Errno;
import io.tracepackets.internal.ffi.NativeException;
import io.tracepackets.internal.btf.SkbFunction;
import io.tracepackets.internal.ringbuf.RingBufferReader;
import io.tracepackets.internal.symbols.Kallsyms;
import io.tracepackets.internal.symbols.NearestNames;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loaded and attached tracepoint programs, their ring buffer and the thread draining it.
 * Expensive to start (BPF load, attach), so one is shared by every test of a JVM; each test
 * reads through its own {@link TraceWindow}. {@link #close()} detaches everything.
 */
public final class Tracer implements AutoCloseable {

	private static final Logger LOG = LoggerFactory.getLogger(Tracer.class);
	static final String OBJECT_RESOURCE = "io/tracepackets/bpf/tracepackets.bpf.o";

	private final BpfObject object;
	private final List<AutoCloseable> links = new ArrayList<>();
	private final BackendSelection selection;
	private final AttachResult functions;
	private final SocketReceiveHook socketHook;
	private final String socketHookStatus;
	private final Set<Tracepoint> attached = EnumSet.noneOf(Tracepoint.class);
	private final BpfMap config;
	private final BpfMap netnsFilter;
	private final BpfMap counters;
	private final BpfMap stacks;
	private final BpfProgram markerProgram;
	private final BpfProgram burstProgram;
	private final EventStore store;
	private final RingBufferReader reader;
	private final Thread readerThread;
	private final Duration loadTime;
	private final Duration attachTime;

	private final Object progress = new Object();
	private final Object flushLock = new Object();
	private final AtomicLong markerSequence = new AtomicLong();
	private volatile long markerSeen;
	private volatile long syntheticSeen;
	/** The reader thread's own count, published to {@link #syntheticSeen} once per drain. */
	private long syntheticCount;
	private volatile boolean running = true;
	private volatile Throwable readerFailure;
	private volatile Duration detachTime = Duration.ZERO;

	private final List<TraceWindow> windows = new ArrayList<>();
	private final Map<Long, Integer> netnsReferences = new HashMap<>();
	private volatile int mode = -1;
	private static final int TRACING_POLL_MILLIS = 5;
	private static final int IDLE_POLL_MILLIS = 100;

	private Tracer(TracerOptions options, Kallsyms kallsyms) {
		KernelCapabilities.requireTracing();
		selection = selectBackend(options, kallsyms);
		Map<Integer, List<SkbFunction>> byPosition = selection.chosen() == Backend.TRACEPOINT ? Map.of()
				: selection.targets().byPosition();
		FunctionAttacher attacher = byPosition.isEmpty() ? null : FunctionAttacher.of(selection.chosen());

		long started = System.nanoTime();
		object = BpfObject.openResource(OBJECT_RESOURCE, "tracepackets");
		try {
			object.map("events").setMaxEntries(options.ringBufferBytes());
			List<String> programs = new ArrayList<>(List.of("emit_marker"));
			for (Tracepoint tracepoint : Tracepoint.values()) {
				programs.add(tracepoint.programName());
			}
			if (options.loadBenchmarkPrograms()) {
				programs.add("emit_burst");
			}
			if (attacher != null) {
				byPosition.keySet().forEach(position -> programs.add(attacher.programName(position)));
				attacher.beforeLoad(object, byPosition);
			}
			object.autoloadOnly(programs);
			markerProgram = object.program("emit_marker");
			burstProgram = object.program("emit_burst");
			try {
				object.load();
			} catch (NativeException e) {
				if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
					throw new TracingUnavailableException("tp_btf programs", "the kernel refused to load them ("
							+ Errno.describe(e.errno()) + "): run as root with CAP_BPF and CAP_PERFMON; in a container,"
							+ " --privileged; a lockdown=confidentiality kernel forbids BPF tracing", e);
				}
				throw e;
			}
			loadTime = Duration.ofNanos(System.nanoTime() - started);
			config = object.map("config");
			netnsFilter = object.map("netns_filter");
			counters = object.map("counters");
			stacks = object.map("stacks");
			setMode(EventLayout.MODE_OFF);

			long attachStarted = System.nanoTime();
			for (Tracepoint tracepoint : Tracepoint.values()) {
				try {
					links.add(object.program(tracepoint.programName()).attach());
					attached.add(tracepoint);
				} catch (NativeException e) {
					// A kernel without one of the tracepoints still traces with the others.
					LOG.warn("tracepoint {} not attached: {}", tracepoint.qualifiedName(), e.getMessage());
				}
			}
			if (!attached.contains(Tracepoint.KFREE_SKB)) {
				throw new TracingUnavailableException("skb:kfree_skb tracepoint",
						"it could not be attached (see the log): drops cannot be traced");
			}
			attachTime = Duration.ofNanos(System.nanoTime() - attachStarted);
			functions = attacher == null ? new AttachResult(List.of(), List.of(), Map.of(), Duration.ZERO)
					: attacher.attach(object, byPosition);
			links.addAll(functions.links());
			SocketReceiveHook.Attempt hook = io.tracepackets.internal.libbpf.LibBpf
					.quietly(() -> SocketReceiveHook.attach(object));
			socketHook = hook.hook().orElse(null);
			socketHookStatus = hook.why();
			if (!functions.failed().isEmpty()) {
				LOG.warn("{} of {} functions not attached with {}, e.g. {}", functions.failed().size(),
						selection.targets().functions().size(), selection.chosen(),
						functions.failed().entrySet().iterator().next());
			}
			store = new EventStore(options.maxStoredEvents());
			reader = new RingBufferReader(object.map("events"), options.ringBufferBytes());
		} catch (RuntimeException | Error e) {
			closeLinks();
			object.close();
			throw e;
		}
		readerThread = Thread.ofPlatform().name("tracepackets-reader").daemon().unstarted(this::readLoop);
		readerThread.start();
		LOG.info("tracer ready: backend={} functions={} ({} ms, {} probes/s) tracepoints={}, load {} ms, attach {} ms; "
				+ "socket_receive {}; {}", selection.chosen(), functions.attached().size(), functions.time().toMillis(),
				Math.round(functions.rate()), attached.size(), loadTime.toMillis(), attachTime.toMillis(),
				socketHook != null ? socketHookStatus : "not attached: " + socketHookStatus, selection.describe());
	}

	private static BackendSelection selectBackend(TracerOptions options, Kallsyms kallsyms) {
		if (options.backend() == Backend.TRACEPOINT) {
			return new BackendSelection(Backend.TRACEPOINT, Map.of(), null, "requested");
		}
		ProbeTargets targets = ProbeTargets.discover(options.functions(), kallsyms);
		if (targets.isEmpty() && options.functions() == null && options.backend() == Backend.AUTO) {
			return new BackendSelection(Backend.TRACEPOINT, Map.of(), targets,
					"no skb function of this kernel can be probed (" + targets + ")");
		}
		if (targets.isEmpty()) {
			String regex = options.functions() == null ? "(all)" : options.functions().pattern();
			List<String> near = options.functions() == null ? List.of()
					: NearestNames.suggest(regex, kallsyms.functionNames(), 5);
			throw new IllegalArgumentException("functions = \"" + regex + "\" matches no probeable skb function of"
					+ " the running kernel (" + targets + ")" + (near.isEmpty() ? "" : "; did you mean: "
							+ String.join(", ", near)));
		}
		return new BackendDetector(OBJECT_RESOURCE).select(options.backend(), targets);
	}

	/** The backend in use, why, and why better ones were refused. */
	public BackendSelection backend() {
		return selection;
	}

	/** Whether the {@code socket_receive} hook (a socket accepted the skb) is attached. */
	public boolean socketReceiveAttached() {
		return socketHook != null;
	}

	/** Where the hook is attached, or why it is not. */
	public String socketReceiveStatus() {
		return socketHookStatus;
	}

	/** The functions the function backend attached to (empty for tracepoints only). */
	public AttachResult functions() {
		return functions;
	}

	/**
	 * Picks the backend, loads and attaches; throws TracingUnavailableException with the reason.
	 * {@code kallsyms} supplies the names of the functions that can be probed.
	 */
	public static Tracer start(TracerOptions options, Kallsyms kallsyms) {
		return new Tracer(options, kallsyms);
	}

	public Set<Tracepoint> attachedTracepoints() {
		return Collections.unmodifiableSet(attached);
	}

	public Duration loadTime() {
		return loadTime;
	}

	public Duration attachTime() {
		return attachTime;
	}

	/** Events the probes submitted since load. */
	public long emitted() {
		return counters.sumPerCpu(EventLayout.COUNTER_EMITTED);
	}

	/** Events lost because the ring buffer was full, since load. */
	public long lost() {
		return counters.sumPerCpu(EventLayout.COUNTER_LOST);
	}

	/** Events dropped because the store was full, since load. */
	public long overflowed() {
		return store.overflowed();
	}

	/** Benchmark: synthetic events the reader has consumed. */
	public long syntheticConsumed() {
		return syntheticSeen;
	}

	/** The kernel stack of a drop, innermost first; empty when the id is unknown. */
	public long[] stack(int stackId) {
		if (stackId < 0) {
			return new long[0];
		}
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment frames = arena.allocate(JAVA_LONG, 32);
			if (!stacks.lookup(arena.allocateFrom(JAVA_INT, stackId), frames)) {
				return new long[0];
			}
			int depth = 0;
			while (depth < 32 && frames.getAtIndex(JAVA_LONG, depth) != 0) {
				depth++;
			}
			long[] result = new long[depth];
			MemorySegment.copy(frames, JAVA_LONG, 0, result, 0, depth);
			return result;
		}
	}

	/** Opens a window over events from now on; scope it with {@link TraceWindow#addNetns}. */
	public TraceWindow openWindow() {
		checkRunning();
		synchronized (windows) {
			TraceWindow window = new TraceWindow(this, store, store.published(), lost(), store.overflowed());
			windows.add(window);
			store.retainFrom(oldestWindowStart());
			updateMode();
			return window;
		}
	}

	void windowClosed(TraceWindow window) {
		synchronized (windows) {
			windows.remove(window);
			for (long inode : window.namespaces()) {
				release(inode);
			}
			store.retainFrom(oldestWindowStart());
			updateMode();
		}
	}

	void netnsAdded(long inode) {
		synchronized (windows) {
			netnsReferences.merge(inode, 1, Integer::sum);
			if (netnsReferences.get(inode) == 1) {
				try (Arena arena = Arena.ofConfined()) {
					netnsFilter.update(arena.allocateFrom(JAVA_INT, (int) inode), arena.allocateFrom(JAVA_BYTE, (byte) 1));
				}
			}
			updateMode();
		}
	}

	private void release(long inode) {
		Integer left = netnsReferences.merge(inode, -1, Integer::sum);
		if (left != null && left <= 0) {
			netnsReferences.remove(inode);
			try (Arena arena = Arena.ofConfined()) {
				netnsFilter.delete(arena.allocateFrom(JAVA_INT, (int) inode));
			}
		}
	}

	void allNamespacesChanged() {
		synchronized (windows) {
			updateMode();
		}
	}

	private long oldestWindowStart() {
		return windows.stream().mapToLong(TraceWindow::startSequence).min().orElse(Long.MAX_VALUE);
	}

	private void updateMode() {
		int wanted = EventLayout.MODE_OFF;
		for (TraceWindow window : windows) {
			if (window.allNamespaces()) {
				wanted = EventLayout.MODE_ALL;
				break;
			}
			wanted = EventLayout.MODE_NETNS;
		}
		setMode(wanted);
	}

	private void setMode(int wanted) {
		if (wanted == mode) {
			return;
		}
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment value = arena.allocate(8);
			value.set(JAVA_INT, 0, wanted);
			config.put(0, value);
		}
		mode = wanted;
	}

	/**
	 * Proves that every event produced before this call has been consumed: writes a marker into
	 * the ring buffer and waits until the reader has passed it.
	 */
	public void flush(Duration timeout) {
		checkRunning();
		long deadline = System.nanoTime() + timeout.toNanos();
		synchronized (flushLock) {
			long sequence = markerSequence.incrementAndGet();
			try (Arena arena = Arena.ofConfined()) {
				MemorySegment context = arena.allocate(8);
				context.set(JAVA_LONG, 0, sequence);
				// A full ring buffer refuses the marker: wait for the reader to make room.
				while (markerProgram.run(context) != 0) {
					if (System.nanoTime() > deadline) {
						throw new TracePacketsException("flush: the ring buffer stayed full for " + timeout.toMillis()
								+ " ms; the reader cannot keep up (raise tracepackets.ringbuffer.bytes)");
					}
					sleepBriefly();
				}
			}
			synchronized (progress) {
				while (markerSeen < sequence) {
					checkRunning();
					long left = deadline - System.nanoTime();
					if (left <= 0) {
						throw new TracePacketsException("flush: the reader did not reach marker " + sequence + " within "
								+ timeout.toMillis() + " ms (" + reader.pendingBytes() + " bytes pending)");
					}
					waitForProgress(left);
				}
			}
		}
	}

	/** Waits until the reader publishes something new or {@code nanos} pass. */
	void awaitProgress(long nanos) {
		synchronized (progress) {
			waitForProgress(nanos);
		}
	}

	private void waitForProgress(long nanos) {
		try {
			progress.wait(Math.max(1, nanos / 1_000_000), 0);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new TracePacketsException("interrupted while waiting for kernel events", e);
		}
	}

	/** Benchmark: makes the kernel write {@code count} synthetic events as fast as it can. */
	public void emitSyntheticBurst(int count) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment context = arena.allocate(8);
			context.set(JAVA_INT, 0, count);
			burstProgram.run(context);
		}
	}

	private void readLoop() {
		RingBufferReader.RecordHandler handler = this::onRecord;
		try {
			while (running) {
				int records = reader.drain(handler);
				store.publish();
				syntheticSeen = syntheticCount;
				if (records > 0) {
					synchronized (progress) {
						progress.notifyAll();
					}
				} else {
					// Probes wake us only for batches (see submit() in the BPF program): poll often
					// while a test traces, rarely when nothing does.
					reader.await(mode == EventLayout.MODE_OFF ? IDLE_POLL_MILLIS : TRACING_POLL_MILLIS);
				}
			}
			reader.drain(handler);
			store.publish();
		} catch (Throwable t) {
			readerFailure = t;
			LOG.error("tracepackets reader stopped", t);
		} finally {
			synchronized (progress) {
				progress.notifyAll();
			}
		}
	}

	private void onRecord(MemorySegment data, long offset, int length) {
		if (length < EventLayout.SIZE) {
			return;
		}
		int probe = data.get(JAVA_BYTE, offset + EventLayout.PROBE) & 0xff;
		if (probe == EventLayout.PROBE_MARKER) {
			store.publish();
			markerSeen = data.get(JAVA_LONG.withByteAlignment(1), offset + EventLayout.SKB);
		} else if (probe == EventLayout.PROBE_SYNTHETIC) {
			syntheticCount++;
		} else {
			store.append(data, offset);
		}
	}

	/** How long the last {@link #close()} took to detach every probe. */
	public Duration detachTime() {
		return detachTime;
	}

	private void closeLinks() {
		if (socketHook != null) {
			socketHook.close();
		}
		for (int i = links.size() - 1; i >= 0; i--) {
			try {
				links.get(i).close();
			} catch (Exception e) {
				LOG.warn("detach failed: {}", e.toString());
			}
		}
		links.clear();
	}

	private void checkRunning() {
		if (readerFailure != null) {
			throw new TracePacketsException("the tracer's reader thread failed: " + readerFailure, readerFailure);
		}
		if (!running) {
			throw new IllegalStateException("the tracer is closed");
		}
	}

	private static void sleepBriefly() {
		try {
			Thread.sleep(1);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new TracePacketsException("interrupted", e);
		}
	}

	/** Detaches every probe, drains what is left, stops the reader and frees the BPF object. */
	@Override
	public void close() {
		if (!running) {
			return;
		}
		synchronized (windows) {
			setMode(EventLayout.MODE_OFF);
		}
		long detachStarted = System.nanoTime();
		closeLinks();
		detachTime = Duration.ofNanos(System.nanoTime() - detachStarted);
		running = false;
		try {
			readerThread.join(5_000);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		if (readerThread.isAlive()) {
			// Unmapping under a running reader would crash the JVM: leave the mapping to the exit.
			LOG.warn("tracepackets reader did not stop within 5 s; its ring buffer stays mapped until exit");
			return;
		}
		reader.close();
		object.close();
		LOG.info("tracer closed after {} stored events", store.published());
	}
}
