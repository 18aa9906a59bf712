package io.tracepackets.internal.session;

/**
 * A part of the probes that the probe-cost benchmark can leave out, to show what each part costs
 * per event ({@link TracerOptions#without}). Nothing else leaves any out: a trace's answers need
 * every part.
 */
public enum ProbePart {
	/** The exact counts (count-shaped answers read them): the probes' {@code .rodata} switch. */
	COUNTS,
	/**
	 * Interrupts off while a probe works (what keeps the kernel from skipping runs): the plain
	 * probes load where the guarded ones would.
	 */
	IRQ_GUARD,
	/**
	 * The packet's fields of an event (device, mark, length, headers, journey): the probes' own
	 * build for the benchmark, which the extension jar does not carry.
	 */
	PACKET_FIELDS,
	/**
	 * Every field of an event but its namespace and probe (clock, CPU, task, conntrack and the
	 * packet's): the record alone is reserved, zeroed and submitted. The benchmark's build too.
	 */
	EVENT_FIELDS,
	/**
	 * Each event's own ring buffer record: without it, the benchmark's build fills every field into
	 * a per-CPU stage and writes eight events at a time as one record. A bound for batching, not a
	 * way to trace: a partial batch is never written, and the reader takes each batch for its first
	 * event.
	 */
	EVENT_RECORDS
}
