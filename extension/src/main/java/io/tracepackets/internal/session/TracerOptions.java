package io.tracepackets.internal.session;

import io.tracepackets.Backend;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a tracer is built: backend (or AUTO), which skb functions a function backend probes (a
 * regex found in the name; null: all), ring buffer size (bytes, a power of two), how many events
 * the store keeps for open windows, whether every drop carries its kernel stack (else only netfilter drops: a stack costs the kernel microseconds),
 * the pcap-filter(7) expression the probes apply before emitting (null: none), and how many bytes
 * of each packet the probes copy ({@code snapLength}, 0: none, the default, at no cost to the
 * probes).
 */
public record TracerOptions(Backend backend, Pattern functions, int ringBufferBytes, long maxStoredEvents,
		boolean allDropStacks, String pcapFilter, int snapLength) {

	public static final int DEFAULT_RING_BUFFER_BYTES = 16 << 20;
	public static final long DEFAULT_MAX_STORED_EVENTS = 4_000_000;
	/** The snap length when packet bytes are wanted and none is given: Ethernet, IPv6 and TCP headers with options. */
	public static final int DEFAULT_SNAP_LENGTH = 128;
	/** The most bytes an event carries (TP_SNAP_MAX in bpf/include/tracepackets.h). */
	public static final int MAX_SNAP_LENGTH = 1024;

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
		if (snapLength < 0 || snapLength > MAX_SNAP_LENGTH) {
			throw new IllegalArgumentException("snapLength must be 0 (no packet bytes) to " + MAX_SNAP_LENGTH
					+ " bytes, got " + snapLength + ": " + DEFAULT_SNAP_LENGTH + " holds the headers of nearly every packet");
		}
	}

	/** Without a pcap filter or packet bytes. */
	public TracerOptions(Backend backend, Pattern functions, int ringBufferBytes, long maxStoredEvents,
			boolean allDropStacks) {
		this(backend, functions, ringBufferBytes, maxStoredEvents, allDropStacks, null, 0);
	}

	/** {@code backend=fentry functions=ip_.*} (and stacks, filter, snap length when set), for messages. */
	public String describe() {
		return "backend=" + backend.label() + " functions=" + (functions == null ? "(every skb function)"
				: functions.pattern()) + (allDropStacks ? " stacks=every drop" : "")
				+ (pcapFilter != null ? " filter=\"" + pcapFilter + "\"" : "")
				+ (snapLength > 0 ? " snap=" + snapLength : "");
	}

	public static TracerOptions defaults() {
		return new TracerOptions(Backend.AUTO, null, DEFAULT_RING_BUFFER_BYTES, DEFAULT_MAX_STORED_EVENTS, false);
	}

	public TracerOptions withBackend(Backend wanted, Pattern functionFilter) {
		return new TracerOptions(wanted, functionFilter, ringBufferBytes, maxStoredEvents,
				allDropStacks, pcapFilter, snapLength);
	}

	/** {@code true}: every drop carries its kernel stack; {@code false}: netfilter drops only. */
	public TracerOptions withAllDropStacks(boolean every) {
		return new TracerOptions(backend, functions, ringBufferBytes, maxStoredEvents, every,
				pcapFilter, snapLength);
	}

	/** Only packets matching {@code expression} (pcap-filter(7)) are traced; null or blank: every packet. */
	public TracerOptions withPcapFilter(String expression) {
		return new TracerOptions(backend, functions, ringBufferBytes, maxStoredEvents,
				allDropStacks, expression == null || expression.isBlank() ? null : expression, snapLength);
	}

	/** Every event carries the first {@code bytes} bytes of its packet; 0: none. */
	public TracerOptions withSnapLength(int bytes) {
		return new TracerOptions(backend, functions, ringBufferBytes, maxStoredEvents,
				allDropStacks, pcapFilter, bytes);
	}

	/**
	 * The store keeps at most {@code events} records for open readers (at least
	 * {@link #MIN_STORED_EVENTS}): a streaming reader needs only what it has not caught up with yet.
	 */
	public TracerOptions withMaxStoredEvents(long events) {
		return new TracerOptions(backend, functions, ringBufferBytes, events, allDropStacks, pcapFilter, snapLength);
	}

	/** The fewest records a store keeps: one chunk of its ring. */
	public static final long MIN_STORED_EVENTS = EventStore.CHUNK_EVENTS;

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
