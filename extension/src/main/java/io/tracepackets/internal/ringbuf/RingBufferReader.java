package io.tracepackets.internal.ringbuf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.tracepackets.internal.bpf.BpfMap;
import io.tracepackets.internal.ffi.Libc;
import io.tracepackets.internal.ffi.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * Consumes a BPF_MAP_TYPE_RINGBUF map directly from its memory mapping, the way libbpf's
 * ring_buffer__consume does, but without a native-to-Java upcall per record: records are handed
 * to the handler as (segment, offset, length) views into the mapping, to copy out in bulk.
 *
 * <p>Layout (kernel/bpf/ringbuf.c): page 0 holds consumer_pos (we write it), page 1 producer_pos
 * (the kernel writes it), then the data area, mapped twice in a row so a record that wraps is
 * still contiguous. Each record starts with an 8-byte header: u32 length with BUSY (bit 31, not
 * yet committed) and DISCARD (bit 30) flags, u32 page offset. Not thread-safe: one consumer.
 */
public final class RingBufferReader implements AutoCloseable {

	/** x86_64 and arm64 (4K) page size; the kernel lays the ring out in pages. */
	public static final long PAGE_SIZE = 4096;
	/** A record's header flags: reserved, not yet committed; discarded. */
	public static final int BUSY_BIT = 1 << 31;
	public static final int DISCARD_BIT = 1 << 30;
	/** The bytes of a record's header, before its data. */
	public static final int HEADER_SIZE = 8;
	/** Publish our position at least this often so producers regain space during long drains. */
	private static final int PUBLISH_EVERY = 256;

	private static final VarHandle LONG = JAVA_LONG.varHandle();
	private static final VarHandle INT = JAVA_INT.varHandle();

	/** Receives a committed record: {@code length} bytes at {@code offset} of {@code data}. */
	@FunctionalInterface
	public interface RecordHandler {
		void onRecord(MemorySegment data, long offset, int length);
	}

	private final String name;
	private final long mask;
	private final MemorySegment consumerPage;
	private final MemorySegment producerMapping;
	private final MemorySegment data;
	private final int epollFd;
	/** Signalled by {@link #wakeUp}: ends the reader's wait before its timeout. -1 in memory. */
	private final int wakeFd;
	private final MemorySegment wakeBuffer;
	private final Arena arena = Arena.ofShared();
	private final MemorySegment epollEvent;
	private final MemorySegment errnoSlot;
	private long consumerPos;
	/** False for a ring in memory of its own ({@link #inMemory}): nothing to unmap, no epoll. */
	private final boolean mapped;
	private boolean closed;

	/**
	 * @param dataSize the map's max_entries: a power of two, a multiple of the page size
	 */
	public RingBufferReader(BpfMap map, long dataSize) {
		if (Long.bitCount(dataSize) != 1 || dataSize % PAGE_SIZE != 0) {
			throw new IllegalArgumentException("ring buffer size must be a power of two pages: " + dataSize);
		}
		this.name = map.name();
		this.mask = dataSize - 1;
		int fd = map.fd();
		this.consumerPage = Libc.mmap(PAGE_SIZE, Libc.PROT_READ | Libc.PROT_WRITE, fd, 0,
				"ring buffer " + name + " consumer page");
		this.producerMapping = Libc.mmap(PAGE_SIZE + 2 * dataSize, Libc.PROT_READ, fd, PAGE_SIZE,
				"ring buffer " + name + " data");
		this.data = producerMapping.asSlice(PAGE_SIZE);
		this.epollFd = Libc.epollFor(fd, "ring buffer " + name);
		int wake = -1;
		try {
			wake = Libc.eventFd("ring buffer " + name);
			Libc.epollAdd(epollFd, wake, "ring buffer " + name + " wake-up");
		} catch (RuntimeException e) {
			if (wake >= 0) {
				Libc.close(wake);
			}
			Libc.close(epollFd);
			Libc.munmap(producerMapping);
			Libc.munmap(consumerPage);
			throw e;
		}
		this.wakeFd = wake;
		this.wakeBuffer = arena.allocate(8, 8);
		this.epollEvent = arena.allocate(Libc.EPOLL_EVENT_SIZE, 8);
		this.errnoSlot = Native.errnoSlot(arena);
		this.consumerPos = (long) LONG.getAcquire(consumerPage, 0L);
		this.mapped = true;
	}

	private RingBufferReader(MemorySegment consumerPage, MemorySegment producerMapping, long dataSize) {
		if (Long.bitCount(dataSize) != 1 || dataSize % PAGE_SIZE != 0) {
			throw new IllegalArgumentException("ring buffer size must be a power of two pages: " + dataSize);
		}
		this.name = "in memory";
		this.mask = dataSize - 1;
		this.consumerPage = consumerPage;
		this.producerMapping = producerMapping;
		this.data = producerMapping.asSlice(PAGE_SIZE, dataSize);
		this.epollFd = -1;
		this.wakeFd = -1;
		this.wakeBuffer = null;
		this.epollEvent = null;
		this.errnoSlot = null;
		this.consumerPos = (long) LONG.getAcquire(consumerPage, 0L);
		this.mapped = false;
	}

	/**
	 * A reader of a ring the caller lays out as the kernel does, in its own memory: the consumer
	 * position at the start of {@code consumerPage}, the producer position at the start of
	 * {@code producerMapping} and the data from its second page on ({@code dataSize} bytes, not
	 * mapped twice: records must not wrap). For running the reader's code before the kernel's
	 * records arrive; it cannot {@link #await}.
	 */
	public static RingBufferReader inMemory(MemorySegment consumerPage, MemorySegment producerMapping, long dataSize) {
		return new RingBufferReader(consumerPage, producerMapping, dataSize);
	}

	/** Bytes committed or reserved but not yet consumed (an upper bound of what is pending). */
	public long pendingBytes() {
		return (long) LONG.getAcquire(producerMapping, 0L) - consumerPos;
	}

	/**
	 * Hands every committed record to {@code handler}, stopping at the first record still being
	 * written. Returns how many records were handed over (discarded ones excluded).
	 */
	public int drain(RecordHandler handler) {
		int records = 0;
		int sincePublish = 0;
		long producerPos = (long) LONG.getAcquire(producerMapping, 0L);
		while (consumerPos < producerPos) {
			long offset = consumerPos & mask;
			int header = (int) INT.getAcquire(data, offset);
			if ((header & BUSY_BIT) != 0) {
				break;
			}
			int length = header & ~(BUSY_BIT | DISCARD_BIT);
			if ((header & DISCARD_BIT) == 0) {
				handler.onRecord(data, offset + HEADER_SIZE, length);
				records++;
			}
			consumerPos += (length + HEADER_SIZE + 7) & ~7L;
			if (++sincePublish == PUBLISH_EVERY) {
				LONG.setRelease(consumerPage, 0L, consumerPos);
				sincePublish = 0;
			}
			if (consumerPos >= producerPos) {
				producerPos = (long) LONG.getAcquire(producerMapping, 0L);
			}
		}
		LONG.setRelease(consumerPage, 0L, consumerPos);
		return records;
	}

	/** Blocks until the kernel signals new data or {@code timeoutMillis} pass; true if signalled. */
	public boolean await(int timeoutMillis) {
		if (pendingBytes() > 0) {
			return true;
		}
		if (!mapped) {
			throw new IllegalStateException("a ring buffer in memory has no kernel to wait for");
		}
		if (Libc.epollWait(epollFd, epollEvent, errnoSlot, timeoutMillis) == 0) {
			return false;
		}
		Libc.clearSignal(wakeFd, wakeBuffer, errnoSlot);
		return true;
	}

	/**
	 * Ends a wait in {@link #await} now, from any thread: the probes submit without waking the
	 * reader, which then polls at the timeout its caller chose.
	 */
	public synchronized void wakeUp() {
		if (mapped && !closed) {
			Libc.signal(wakeFd, "ring buffer " + name);
		}
	}

	@Override
	public synchronized void close() {
		if (closed) {
			return;
		}
		closed = true;
		arena.close();
		if (!mapped) {
			return;
		}
		Libc.close(wakeFd);
		Libc.close(epollFd);
		Libc.munmap(producerMapping);
		Libc.munmap(consumerPage);
	}
}
