package io.tracepackets.internal.tracer;

/**
 * How the tracer is built: ring buffer size (bytes, a power of two) and how many events the
 * store keeps for open windows.
 */
public record TracerOptions(int ringBufferBytes, long maxStoredEvents, boolean loadBenchmarkPrograms) {

	public static final int DEFAULT_RING_BUFFER_BYTES = 16 << 20;
	public static final long DEFAULT_MAX_STORED_EVENTS = 4_000_000;

	public TracerOptions {
		if (ringBufferBytes < 4096 || Integer.bitCount(ringBufferBytes) != 1) {
			throw new IllegalArgumentException("tracepackets.ringbuffer.bytes must be a power of two >= 4096, got "
					+ ringBufferBytes + ": use e.g. 16777216 (16 MiB)");
		}
		if (maxStoredEvents < EventStore.CHUNK_EVENTS) {
			throw new IllegalArgumentException("tracepackets.max.events must be at least " + EventStore.CHUNK_EVENTS
					+ ", got " + maxStoredEvents);
		}
	}

	public static TracerOptions defaults() {
		return new TracerOptions(DEFAULT_RING_BUFFER_BYTES, DEFAULT_MAX_STORED_EVENTS, false);
	}

	public TracerOptions withBenchmarkPrograms() {
		return new TracerOptions(ringBufferBytes, maxStoredEvents, true);
	}
}
