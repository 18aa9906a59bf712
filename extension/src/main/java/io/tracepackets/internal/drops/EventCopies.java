package io.tracepackets.internal.drops;

import io.tracepackets.DropCulprit;
import io.tracepackets.PacketBytes;
import io.tracepackets.PacketEvent;
import io.tracepackets.internal.record.EventRecord;
import java.util.Optional;

/**
 * An event with one of the facts learned after decoding: the rule or program a drop is blamed on
 * (netfilter's trace, read apart from the ring buffer) or why none was, or the packet's bytes.
 * Only the drop package gives an event these ({@link EventRecord#with} copies it).
 */
public final class EventCopies {

	private EventCopies() {
	}

	/** {@code e} with its drop blamed on {@code culprit}. */
	public static PacketEvent withCulprit(PacketEvent e, DropCulprit culprit) {
		return copy(e, culprit, null, e.packetBytes());
	}

	/** {@code e}, a drop given no culprit, with the sentence that says why. */
	public static PacketEvent withWhyNoCulprit(PacketEvent e, String why) {
		return copy(e, null, why, e.packetBytes());
	}

	/** {@code e} carrying {@code bytes}, as the probes report it when they copy them. */
	public static PacketEvent withPacketBytes(PacketEvent e, PacketBytes bytes) {
		return copy(e, e.culprit().orElse(null), e.whyNoCulprit().orElse(null), Optional.of(bytes));
	}

	/** {@code e} without packet bytes: for a reader that captured them to filter on, not to show. */
	public static PacketEvent withoutPacketBytes(PacketEvent e) {
		return e.packetBytes().isEmpty() ? e : copy(e, e.culprit().orElse(null), e.whyNoCulprit().orElse(null), Optional.empty());
	}

	private static PacketEvent copy(PacketEvent e, DropCulprit culprit, String whyNoCulprit,
			Optional<PacketBytes> bytes) {
		return EventRecord.of(e).with(culprit, whyNoCulprit, bytes);
	}
}
