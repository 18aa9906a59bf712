package io.tracepackets.internal.drops;

import io.tracepackets.DropKind;

import java.util.Objects;

/**
 * What one kernel drop meant, and why this table says so.
 *
 * @param kind lost, discarded after delivery, or not a loss
 * @param why the reason's name (and the drop location, when the location decided) and a short
 *     justification, e.g. {@code "QUEUE_PURGE: the socket's receive queue was purged when it closed
 *     unread"}
 */
public record Classification(DropKind kind, String why) {

	public Classification {
		Objects.requireNonNull(kind, "kind");
		Objects.requireNonNull(why, "why");
	}
}
