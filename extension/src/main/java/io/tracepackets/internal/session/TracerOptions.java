package io.tracepackets.internal.session;

import io.tracepackets.Backend;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a tracer is built: backend (or AUTO), which skb functions a function backend probes (a
 * regex found in the name; null: all), ring buffer size (bytes, a power of two), how many events
 * the store keeps for open windows, whether the benchmark-only program is loaded, and whether every
 * drop carries its kernel stack (else only netfilter drops: a stack costs the kernel microseconds),
 * and the pcap-filter(7) expression the probes apply before emitting (null: none).
 */
public record TracerOptions(Backend backend, Pattern functions, int ringBufferBytes, long maxStoredEvents,
		boolean loadBenchmarkPrograms, boolean allDropStacks, String pcapFilter) {

	public static final int DEFAULT_RING_BUFFER_BYTES = 16 << 20;
	public static final long DEFAULT_MAX_STORED_EVENTS = 4_000_000;

	public TracerOptions {
		Objects.requireNonNull(backend, "backend");
		if (ringBufferBytes < 4096 || Integer.bitCount(ringBufferBytes) != 1) {
			throw new IllegalArgumentException("tracepackets.ringbuffer.bytes must be a power of two >= 4096, got "
					+ ringBufferBytes + ": use e.g. 16777216 (16 MiB)");
		}
		if (maxStoredEvents < EventStore.CHUNK_EVENTS) {
			throw new IllegalArgumentException("tracepackets.max.events must be at least " + EventStore.CHUNK_EVENTS
					+ ", got " + maxStoredEvents);
		}
	}

	/** Stacks of netfilter drops only, the default. */
	public TracerOptions(Backend backend, Pattern functions, int ringBufferBytes, long maxStoredEvents,
			boolean loadBenchmarkPrograms) {
		this(backend, functions, ringBufferBytes, maxStoredEvents, loadBenchmarkPrograms, false, null);
	}

	/** Without a pcap filter. */
	public TracerOptions(Backend backend, Pattern functions, int ringBufferBytes, long maxStoredEvents,
			boolean loadBenchmarkPrograms, boolean allDropStacks) {
		this(backend, functions, ringBufferBytes, maxStoredEvents, loadBenchmarkPrograms, allDropStacks, null);
	}

	/** {@code backend=fentry functions=ip_.*} (and {@code stacks=every drop} when asked), for messages. */
	public String describe() {
		return "backend=" + backend.label() + " functions=" + (functions == null ? "(every skb function)"
				: functions.pattern()) + (allDropStacks ? " stacks=every drop" : "")
				+ (pcapFilter != null ? " filter=\"" + pcapFilter + "\"" : "");
	}

	public static TracerOptions defaults() {
		return new TracerOptions(Backend.AUTO, null, DEFAULT_RING_BUFFER_BYTES, DEFAULT_MAX_STORED_EVENTS, false);
	}

	public TracerOptions withBackend(Backend wanted, Pattern functionFilter) {
		return new TracerOptions(wanted, functionFilter, ringBufferBytes, maxStoredEvents, loadBenchmarkPrograms,
				allDropStacks, pcapFilter);
	}

	public TracerOptions withBenchmarkPrograms() {
		return new TracerOptions(backend, functions, ringBufferBytes, maxStoredEvents, true, allDropStacks, pcapFilter);
	}

	/** {@code true}: every drop carries its kernel stack; {@code false}: netfilter drops only. */
	public TracerOptions withAllDropStacks(boolean every) {
		return new TracerOptions(backend, functions, ringBufferBytes, maxStoredEvents, loadBenchmarkPrograms, every,
				pcapFilter);
	}

	/** Only packets matching {@code expression} (pcap-filter(7)) are traced; null or blank: every packet. */
	public TracerOptions withPcapFilter(String expression) {
		return new TracerOptions(backend, functions, ringBufferBytes, maxStoredEvents, loadBenchmarkPrograms,
				allDropStacks, expression == null || expression.isBlank() ? null : expression);
	}

	/** Parses a {@code functions} regex, failing with the position of the error. */
	public static Pattern functionPattern(String regex) {
		if (regex == null || regex.isBlank()) {
			return null;
		}
		try {
			return Pattern.compile(regex);
		} catch (java.util.regex.PatternSyntaxException e) {
			throw new IllegalArgumentException("functions = \"" + regex + "\" is not a valid regex: "
					+ e.getDescription() + " at index " + e.getIndex() + "; e.g. \"ip_.*|nf_.*\"", e);
		}
	}
}
