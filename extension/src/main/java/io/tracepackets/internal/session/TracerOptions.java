package io.tracepackets.internal.session;

import io.tracepackets.Backend;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a tracer is built: backend (or AUTO), which skb functions a function backend probes (a
 * regex found in the name; null: all), ring buffer size (bytes, a power of two), how many bytes
 * the stored events of open windows may take ({@code tracepackets.events.bytes}), whether every drop carries its kernel stack (else only netfilter drops: a stack costs the kernel microseconds),
 * the pcap-filter(7) expression the probes apply before emitting (null: none), and how many bytes
 * of each packet the probes copy ({@code snapLength}, 0: none, the default, at no cost to the
 * probes). {@code omitted}: the parts of the probes left out, for the probe-cost benchmark's
 * measure of what each costs only ({@link ProbePart}); empty everywhere else.
 */
public record TracerOptions(Backend backend, Pattern functions, int ringBufferBytes, long storeBudgetBytes,
		boolean allDropStacks, String pcapFilter, int snapLength, Set<ProbePart> omitted) {

	public static final int DEFAULT_RING_BUFFER_BYTES = 16 << 20;
	/** The event store's budget: 256 MiB holds about 3 million events without packet bytes. */
	public static final long DEFAULT_STORE_BUDGET_BYTES = 256L << 20;
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
		if (storeBudgetBytes < EventStore.MIN_BUDGET_BYTES) {
			throw new IllegalArgumentException("tracepackets.events.bytes must be at least "
					+ EventStore.MIN_BUDGET_BYTES + " (1 MiB), got " + storeBudgetBytes + ": use e.g. "
					+ DEFAULT_STORE_BUDGET_BYTES + " (256 MiB)");
		}
		if (snapLength < 0 || snapLength > MAX_SNAP_LENGTH) {
			throw new IllegalArgumentException("snapLength must be 0 (no packet bytes) to " + MAX_SNAP_LENGTH
					+ " bytes, got " + snapLength + ": " + DEFAULT_SNAP_LENGTH + " holds the headers of nearly every packet");
		}
		// in enum order, for describe(); unmodifiable, as a record's component should be
		omitted = omitted.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(omitted));
	}

	/** Without a pcap filter or packet bytes. */
	public TracerOptions(Backend backend, Pattern functions, int ringBufferBytes, long storeBudgetBytes,
			boolean allDropStacks) {
		this(backend, functions, ringBufferBytes, storeBudgetBytes, allDropStacks, null, 0, Set.of());
	}

	/** {@code backend=fentry functions=ip_.*} (and stacks, filter, snap length when set), for messages. */
	public String describe() {
		return "backend=" + backend.label() + " functions=" + (functions == null ? "(every skb function)"
				: functions.pattern()) + (allDropStacks ? " stacks=every drop" : "")
				+ (pcapFilter != null ? " filter=\"" + pcapFilter + "\"" : "")
				+ (snapLength > 0 ? " snap=" + snapLength : "")
				+ (omitted.isEmpty() ? "" : " without=" + omitted);
	}

	public static TracerOptions defaults() {
		return new TracerOptions(Backend.AUTO, null, DEFAULT_RING_BUFFER_BYTES, DEFAULT_STORE_BUDGET_BYTES, false);
	}

	public TracerOptions withBackend(Backend wanted, Pattern functionFilter) {
		return new TracerOptions(wanted, functionFilter, ringBufferBytes, storeBudgetBytes,
				allDropStacks, pcapFilter, snapLength, omitted);
	}

	/** {@code true}: every drop carries its kernel stack; {@code false}: netfilter drops only. */
	public TracerOptions withAllDropStacks(boolean every) {
		return new TracerOptions(backend, functions, ringBufferBytes, storeBudgetBytes, every,
				pcapFilter, snapLength, omitted);
	}

	/** Only packets matching {@code expression} (pcap-filter(7)) are traced; null or blank: every packet. */
	public TracerOptions withPcapFilter(String expression) {
		return new TracerOptions(backend, functions, ringBufferBytes, storeBudgetBytes,
				allDropStacks, expression == null || expression.isBlank() ? null : expression, snapLength, omitted);
	}

	/** Every event carries the first {@code bytes} bytes of its packet; 0: none. */
	public TracerOptions withSnapLength(int bytes) {
		return new TracerOptions(backend, functions, ringBufferBytes, storeBudgetBytes,
				allDropStacks, pcapFilter, bytes, omitted);
	}

	/**
	 * The stored events of open readers take at most {@code bytes} (at least
	 * {@link EventStore#MIN_BUDGET_BYTES}): a streaming reader needs only what it has not caught up
	 * with yet, a fraction of what a test's window keeps.
	 */
	public TracerOptions withStoreBudgetBytes(long bytes) {
		return new TracerOptions(backend, functions, ringBufferBytes, bytes, allDropStacks, pcapFilter, snapLength,
				omitted);
	}

	/**
	 * The probes without {@code part}: the probe-cost benchmark's baselines for what each part costs
	 * per event. Nothing else wants it: a trace's answers need every part.
	 */
	public TracerOptions without(ProbePart part) {
		EnumSet<ProbePart> parts = EnumSet.of(part);
		parts.addAll(omitted);
		return new TracerOptions(backend, functions, ringBufferBytes, storeBudgetBytes, allDropStacks, pcapFilter,
				snapLength, parts);
	}

	/** Whether the probes leave {@code part} out ({@link #without}). */
	public boolean omits(ProbePart part) {
		return omitted.contains(part);
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
