package io.tracepackets;

/**
 * Events the tracer's store had no room for while a trace was open: the store keeps the events of
 * open traces within a budget in bytes ({@value TracePackets#EVENT_BYTES_PROPERTY}), and once it
 * is used up, later events are lost (and counted in {@link PacketTrace#lostEvents()}). The
 * kernel's counts ({@link PacketTrace#counts()}) are exact whatever the store lost.
 *
 * @param events the events of this trace the store did not keep
 * @param budgetBytes the store's budget, in bytes
 * @param neededBytes what this trace's events, those kept and those not, take in the store: a
 *     budget that would have held them all while no other trace was open
 */
public record EventStoreOverflow(long events, long budgetBytes, long neededBytes) {
}
