package io.tracepackets.internal.session;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.tracepackets.TracePacketsException;
import io.tracepackets.internal.bpf.BpfMap;
import io.tracepackets.internal.bpf.BpfProgram;
import io.tracepackets.internal.event.EventLayout;
import io.tracepackets.internal.ringbuf.RingBufferReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves events from the kernel's ring buffer into the session's {@link EventStore}: one reader
 * thread, woken by the probes once per batch. It owns the reader, the store and the flush-marker
 * protocol; readers of events take an {@link EventCursor}, which keeps its events from being
 * recycled until it is closed.
 */
public final class EventPump implements AutoCloseable {

	private static final Logger LOG = LoggerFactory.getLogger(EventPump.class);
	private static final int TRACING_POLL_MILLIS = 5;
	private static final int IDLE_POLL_MILLIS = 100;
	/** The warm-up's ring (see {@link #warmUp}): about 7,300 records. */
	private static final long WARM_UP_RING_BYTES = 1 << 20;
	/** Laps of the warm-up's ring: about 58,000 records, past the JIT's optimizing tier for the drain loop and the store. */
	private static final int WARM_UP_LAPS = 8;
	private static final AtomicBoolean WARMED_UP = new AtomicBoolean();

	private final RingBufferReader reader;
	private final EventStore store;
	private final BpfMap counters;
	private final BpfProgram markerProgram;
	private final Thread thread;
	private final List<EventCursor> cursors = new ArrayList<>();
	private final Object progress = new Object();
	private final Object flushLock = new Object();
	private final AtomicLong markerSequence = new AtomicLong();
	private volatile long markerSeen;
	private volatile long syntheticSeen;
	/** Records the reader has consumed since load: a flush waits while this moves. */
	private volatile long consumed;
	/** The reader thread's own count, published to {@link #syntheticSeen} once per drain. */
	private long syntheticCount;
	private volatile boolean running = true;
	private volatile Throwable failure;

	EventPump(BpfMap events, int ringBufferBytes, long storeBudgetBytes, BpfMap counters, BpfProgram markerProgram) {
		this(events, ringBufferBytes, storeBudgetBytes, 0, counters, markerProgram);
	}

	/**
	 * {@code storeBudgetBytes}: the most bytes the stored events take; {@code snapLength}: packet
	 * bytes per event (0: none), so the store keeps whole records.
	 */
	EventPump(BpfMap events, int ringBufferBytes, long storeBudgetBytes, int snapLength, BpfMap counters,
			BpfProgram markerProgram) {
		this.store = new EventStore(storeBudgetBytes, EventLayout.recordSize(snapLength));
		this.reader = new RingBufferReader(events, ringBufferBytes);
		this.counters = counters;
		this.markerProgram = markerProgram;
		int recordBytes = EventLayout.recordSize(snapLength);
		this.thread = Thread.ofPlatform().name("tracepackets-reader").daemon().unstarted(() -> {
			if (WARMED_UP.compareAndSet(false, true)) {
				warmUp(recordBytes); // the JIT's work is the JVM's: once
			}
			readLoop();
		});
		thread.start();
	}

	/** A cursor over events published from now on. */
	public EventCursor openCursor() {
		checkRunning();
		synchronized (cursors) {
			EventCursor cursor = new EventCursor(this, store, store.published(), lost());
			cursors.add(cursor);
			store.retainFrom(oldestRetained());
			// The reader may be in its idle wait (100 ms), which the probes do not end: a test that
			// floods at once would fill the ring before then (2.8 M events/s fill 16 MiB in 47 ms).
			reader.wakeUp();
			return cursor;
		}
	}

	void cursorClosed(EventCursor cursor) {
		synchronized (cursors) {
			cursors.remove(cursor);
			store.retainFrom(oldestRetained());
		}
	}

	/** A streaming cursor forgot what it read: the store may recycle up to the oldest record any cursor still needs. */
	void retentionMoved() {
		synchronized (cursors) {
			store.retainFrom(oldestRetained());
		}
	}

	/** Whether any reader (a test's window) is open now. */
	public boolean hasOpenCursors() {
		synchronized (cursors) {
			return !cursors.isEmpty();
		}
	}

	/** The oldest record any open cursor still needs (its start, or where a stream forgot up to); null: none. */
	private EventStore.Position oldestRetained() {
		EventStore.Position oldest = null;
		for (EventCursor cursor : cursors) {
			EventStore.Position retained = cursor.retainedFrom();
			if (oldest == null || retained.sequence() < oldest.sequence()) {
				oldest = retained;
			}
		}
		return oldest;
	}

	/** Events the probes submitted since load. */
	public long emitted() {
		return counters.sumPerCpu(EventLayout.COUNTER_EMITTED);
	}

	/** Events lost since load: the ring buffer was full (kernel), or the store was (here). */
	public long lost() {
		return counters.sumPerCpu(EventLayout.COUNTER_LOST) + store.overflowed();
	}

	/** Events the store dropped because it was full, since load. */
	public long overflowed() {
		return store.overflowed();
	}

	/** Bytes the store has allocated now: chunks are taken as it fills and given back when no reader is open. */
	public long storeAllocatedBytes() {
		return store.allocatedBytes();
	}

	/** The most bytes the stored events of open readers took at once, since load. */
	public long storePeakBytes() {
		return store.peakRetainedBytes();
	}

	/** Benchmark: synthetic events the reader has consumed. */
	public long syntheticConsumed() {
		return syntheticSeen;
	}

	/**
	 * Proves that every event produced before this call has been consumed: writes a marker into
	 * the ring buffer and waits until the reader has passed it. {@code timeout} bounds a wait in
	 * which the reader consumes nothing, not the whole wait: a reader far behind but moving (a
	 * flood, or thousands of kernel functions probed under emulation) is waited for; a stuck one
	 * fails the flush.
	 */
	public void flush(Duration timeout) {
		checkRunning();
		Deadline deadline = new Deadline(timeout);
		synchronized (flushLock) {
			long sequence = markerSequence.incrementAndGet();
			try (Arena arena = Arena.ofConfined()) {
				MemorySegment context = arena.allocate(8);
				context.set(JAVA_LONG, 0, sequence);
				// A full ring buffer refuses the marker: wait for the reader to make room.
				while (markerProgram.run(context) != 0) {
					if (deadline.passedWithoutProgress()) {
						throw new TracePacketsException("flush: the ring buffer stayed full and its reader consumed nothing"
								+ " for " + timeout.toMillis() + " ms: the reader is stuck");
					}
					sleepBriefly();
				}
			}
			synchronized (progress) {
				while (markerSeen < sequence) {
					checkRunning();
					if (deadline.passedWithoutProgress()) {
						throw new TracePacketsException("flush: the reader consumed nothing for " + timeout.toMillis()
								+ " ms before marker " + sequence + " (" + reader.pendingBytes() + " bytes pending):"
								+ " the reader is stuck");
					}
					waitForProgress(deadline.nanosLeft());
				}
			}
		}
	}

	/** A timeout that restarts whenever the reader has consumed more records. */
	private final class Deadline {
		private final long timeoutNanos;
		private long consumedAtStart = consumed;
		private long end;

		Deadline(Duration timeout) {
			this.timeoutNanos = timeout.toNanos();
			this.end = System.nanoTime() + timeoutNanos;
		}

		boolean passedWithoutProgress() {
			long now = consumed;
			if (now != consumedAtStart) {
				consumedAtStart = now;
				end = System.nanoTime() + timeoutNanos;
			}
			return System.nanoTime() > end;
		}

		long nanosLeft() {
			return Math.max(1, end - System.nanoTime());
		}
	}

	/** Waits until the reader publishes something new or {@code nanos} pass. */
	public void awaitProgress(long nanos) {
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

	private void readLoop() {
		RingBufferReader.RecordHandler handler = this::onRecord;
		try {
			while (running) {
				int records = reader.drain(handler);
				store.publish();
				consumed += records; // the only writer
				syntheticSeen = syntheticCount;
				if (records > 0) {
					synchronized (progress) {
						progress.notifyAll();
					}
				} else {
					store.releaseIfUnwanted();
					// Probes wake us only for batches (see submit() in the BPF program): poll often
					// while someone reads events, rarely when nobody does.
					reader.await(store.retaining() ? TRACING_POLL_MILLIS : IDLE_POLL_MILLIS);
				}
			}
			reader.drain(handler);
			store.publish();
		} catch (Throwable t) {
			failure = t;
			LOG.error("tracepackets reader stopped", t);
		} finally {
			synchronized (progress) {
				progress.notifyAll();
			}
		}
	}

	/**
	 * Runs the reader's path for every record (the ring's drain, the store's append) on made-up
	 * events, through a ring and stores of its own, before the first drain of the kernel's ring.
	 * In a fresh JVM that path is interpreted until the JIT compiles it: the benchmark's first
	 * flood lost 321 k of 7 M events in its first second, all while it compiled, and none on the
	 * same flood after. The made-up ring has what a flood's has, so that the compiled code meets no
	 * branch its profile never saw (each costs a fall back to the interpreter): records with the
	 * NAT trailer's room, discarded ones, one still being written at the end of each lap, and
	 * stores that allocate their chunks as they fill. The reader has nothing to read meanwhile (no
	 * window is open yet), and the JIT compiles on threads of its own. Returns how many records
	 * the stores took.
	 */
	static long warmUp(int recordBytes) {
		int header = RingBufferReader.HEADER_SIZE;
		long page = RingBufferReader.PAGE_SIZE;
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment consumer = arena.allocate(page, page);
			MemorySegment producer = arena.allocate(page + WARM_UP_RING_BYTES, page);
			MemorySegment ring = producer.asSlice(page);
			long at = 0;
			long last = 0;
			for (int i = 0;; i++) {
				int length = i % 8 == 7 ? EventLayout.SIZE + EventLayout.PRE_NAT_SIZE : EventLayout.SIZE;
				long span = (length + header + 7) & ~7L;
				if (at + span + header > WARM_UP_RING_BYTES) {
					break;
				}
				ring.set(JAVA_INT, at, i % 64 == 63 ? length | RingBufferReader.DISCARD_BIT : length);
				MemorySegment event = ring.asSlice(at + header, length);
				// about as many words set as a real event's, none of them a marker's or a synthetic's probe
				for (int word = 0; word < length / 4; word += 2) {
					event.setAtIndex(JAVA_INT, word, 0x5EED0000 + i + word);
				}
				event.set(JAVA_BYTE, EventLayout.PROBE, (byte) (i % EventLayout.PROBE_SOCKET_RECEIVE));
				last = at;
				at += span;
			}
			// the rest of the ring: one discarded record, so that each lap starts where the last ended
			ring.set(JAVA_INT, at, (int) (WARM_UP_RING_BYTES - at - header) | RingBufferReader.DISCARD_BIT);
			long[] stored = new long[1];
			try (RingBufferReader reader = RingBufferReader.inMemory(consumer, producer, WARM_UP_RING_BYTES)) {
				EventStore store = null;
				for (int lap = 0; lap < WARM_UP_LAPS; lap++) {
					if (lap % 2 == 0) {
						store = new EventStore(EventStore.MIN_BUDGET_BYTES, recordBytes);
					}
					EventStore into = store;
					into.retainFrom(into.published());
					// every made-up record is an event (no marker, no synthetic one): straight to the store
					RingBufferReader.RecordHandler handler = (data, offset, length) -> {
						if (into.append(data, offset, length)) {
							stored[0]++;
						}
					};
					int lastLength = ring.get(JAVA_INT, last);
					ring.set(JAVA_INT, last, lastLength | RingBufferReader.BUSY_BIT);
					producer.set(JAVA_LONG, 0, (lap + 1) * WARM_UP_RING_BYTES);
					reader.drain(handler); // stops at the record being written
					ring.set(JAVA_INT, last, lastLength);
					reader.drain(handler);
					into.publish();
				}
			}
			return stored[0];
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
			store.append(data, offset, length);
		}
	}

	void checkRunning() {
		if (failure != null) {
			throw new TracePacketsException("the tracer's reader thread failed: " + failure, failure);
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

	/**
	 * Stops the reader after a last drain and unmaps the ring buffer. Call after the probes are
	 * detached, so nothing new arrives.
	 */
	@Override
	public void close() {
		if (!running) {
			return;
		}
		running = false;
		try {
			thread.join(5_000);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		if (thread.isAlive()) {
			// Unmapping under a running reader would crash the JVM: leave the mapping to the exit.
			LOG.warn("tracepackets reader did not stop within 5 s; its ring buffer stays mapped until exit");
			return;
		}
		reader.close();
		LOG.info("event pump closed after {} stored events (at most {} bytes at once)", store.published().sequence(),
				store.peakRetainedBytes());
	}

	/** Whether {@link #close()} left the ring buffer mapped (its reader would not stop). */
	boolean readerStuck() {
		return thread.isAlive();
	}
}
