package io.tracepackets.internal.tracer;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.tracepackets.TracePacketsException;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.bpf.BpfMap;
import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.internal.bpf.BpfProgram;
import io.tracepackets.internal.ffi.Errno;
import io.tracepackets.internal.ffi.NativeException;
import io.tracepackets.internal.link.BpfLink;
import io.tracepackets.internal.ringbuf.RingBufferReader;
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
	private final List<BpfLink> links = new ArrayList<>();
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
	private volatile boolean running = true;
	private volatile Throwable readerFailure;

	private final List<TraceWindow> windows = new ArrayList<>();
	private final Map<Long, Integer> netnsReferences = new HashMap<>();
	private int mode = -1;

	private Tracer(TracerOptions options) {
		KernelCapabilities.requireTracing();
		long started = System.nanoTime();
		object = BpfObject.openResource(OBJECT_RESOURCE, "tracepackets");
		try {
			object.map("events").setMaxEntries(options.ringBufferBytes());
			markerProgram = object.program("emit_marker");
			burstProgram = object.program("emit_burst");
			burstProgram.setAutoload(options.loadBenchmarkPrograms());
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
			store = new EventStore(options.maxStoredEvents());
			reader = new RingBufferReader(object.map("events"), options.ringBufferBytes());
		} catch (RuntimeException | Error e) {
			links.forEach(BpfLink::close);
			object.close();
			throw e;
		}
		readerThread = Thread.ofPlatform().name("tracepackets-reader").daemon().unstarted(this::readLoop);
		readerThread.start();
		LOG.info("tracer ready: {} tracepoints attached ({}), load {} ms, attach {} ms", attached.size(), attached,
				loadTime.toMillis(), attachTime.toMillis());
	}

	/** Loads and attaches the tracepoint programs; throws TracingUnavailableException with the reason. */
	public static Tracer start(TracerOptions options) {
		return new Tracer(options);
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
			TraceWindow window = new TraceWindow(this, store, store.nextSequence(), lost(), store.overflowed());
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
				if (records > 0) {
					synchronized (progress) {
						progress.notifyAll();
					}
				} else {
					reader.await(50);
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
			syntheticSeen++;
		} else {
			store.append(data, offset);
		}
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
		for (BpfLink link : links) {
			link.close();
		}
		running = false;
		try {
			readerThread.join(5_000);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		reader.close();
		object.close();
		LOG.info("tracer closed after {} stored events", store.published());
	}
}
