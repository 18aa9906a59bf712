package io.tracepackets;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * An immutable list of events that a trace keeps as the kernel's records and decodes on each
 * read, so that a trace of millions of events holds no million objects: {@link PacketTrace#events()}
 * and each {@link PacketPath#events()} are such lists. Its elements are values ({@link PacketEvent}),
 * equal on every read, not the same object; {@link PacketPath} keeps such a list as it is instead of
 * copying it. A test reads it as any {@link java.util.List}; only a trace makes one.
 */
public abstract class RecordedEvents extends AbstractList<PacketEvent> implements RandomAccess {

	/** For a trace's own lists, which must be immutable. */
	protected RecordedEvents() {
	}
}
