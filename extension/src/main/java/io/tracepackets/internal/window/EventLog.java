package io.tracepackets.internal.window;

import io.tracepackets.PacketEvent;
import io.tracepackets.RecordedEvents;
import io.tracepackets.internal.drops.EventCopies;
import io.tracepackets.internal.event.EventDecoder;
import io.tracepackets.internal.session.EventCursor;
import io.tracepackets.internal.session.RecordArchive;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A window's events in trace order, kept as the raw records they were decoded from and decoded
 * again on each read: a flood's millions of events cost their records (about 80 bytes each, in the
 * session's store while the window is open, in an {@link RecordArchive archive} of its own once it
 * is closed) and 4 bytes of position, not a few hundred bytes of objects each. What reading a
 * record again would not give is kept beside it: a drop's sentence on why no culprit was named
 * (a few sentences, each kept once), and whole the events that attribution gave a culprit or whose
 * decoding depended on earlier events ({@link EventDecoder#dependsOnEarlierEvents}).
 * Appended to by the window's reader; read by any thread.
 */
final class EventLog {

	/** More sentences than this, and a drop's event is kept whole. */
	private static final int MAX_SENTENCES = Short.MAX_VALUE;

	private final EventDecoder decoder;
	private final EventCursor cursor;
	/** The window's records once it closed; null while they are the cursor's. */
	private RecordArchive archive;
	/** Where each event's record is in the cursor's store; null once archived. */
	private Positions positions = new Positions();
	private int size;
	/** Events decoding again would not give, by index. */
	private final Map<Integer, PacketEvent> kept = new HashMap<>();
	/** Per event, 1 + the index of its why-no-culprit sentence; 0: none. Null until a drop has one. */
	private ShortColumn sentenceOf;
	private final List<String> sentences = new ArrayList<>();
	private final Map<String, Short> sentenceIds = new HashMap<>();

	EventLog(EventDecoder decoder, EventCursor cursor) {
		this.decoder = decoder;
		this.cursor = cursor;
	}

	/**
	 * Appends one event and returns its index.
	 *
	 * @param position where the cursor's store keeps its record
	 * @param decoded what the record decoded to
	 * @param attributed the event as the window keeps it: {@code decoded}, or a copy of it that
	 *     drop attribution gave a culprit or a sentence on why none
	 */
	synchronized int add(long position, PacketEvent decoded, PacketEvent attributed) {
		if (archive != null) {
			throw new IllegalStateException("the window is closed");
		}
		int index = size;
		positions.add(position);
		size++;
		if (attributed != decoded) {
			String why = attributed.whyNoCulprit().orElse(null);
			if (why == null || !keepSentence(index, why, decoded, attributed)) {
				kept.put(index, attributed);
			}
		} else if (EventDecoder.dependsOnEarlierEvents(decoded)) {
			kept.put(index, decoded);
		}
		return index;
	}

	/**
	 * Keeps {@code attributed} as {@code decoded} and a sentence, when that is all it differs by:
	 * attribution's copies change only the culprit and the sentence (EventCopies).
	 */
	private boolean keepSentence(int index, String why, PacketEvent decoded, PacketEvent attributed) {
		if (EventDecoder.dependsOnEarlierEvents(decoded) || attributed.culprit().isPresent()
				|| decoded.culprit().isPresent() || decoded.whyNoCulprit().isPresent()) {
			return false;
		}
		Short id = sentenceIds.get(why);
		if (id == null) {
			if (sentences.size() == MAX_SENTENCES) {
				return false;
			}
			sentences.add(why);
			id = (short) sentences.size();
			sentenceIds.put(why, id);
		}
		if (sentenceOf == null) {
			sentenceOf = new ShortColumn();
		}
		sentenceOf.set(index, id);
		return true;
	}

	synchronized int size() {
		return size;
	}

	/** Event {@code index}: kept, or decoded again from its record. */
	PacketEvent get(int index) {
		long position;
		String why = null;
		RecordArchive archived;
		synchronized (this) {
			if (index < 0 || index >= size) {
				throw new IndexOutOfBoundsException("event " + index + " of " + size);
			}
			PacketEvent whole = kept.isEmpty() ? null : kept.get(index);
			if (whole != null) {
				return whole;
			}
			int sentence = sentenceOf == null ? 0 : sentenceOf.getOrZero(index);
			if (sentence != 0) {
				why = sentences.get(sentence - 1);
			}
			archived = archive;
			position = archived == null ? positions.get(index) : -1;
		}
		byte[] record;
		if (archived != null) {
			record = new byte[archived.recordBytes()];
			archived.read(index, record);
		} else {
			record = new byte[cursor.recordBytes()];
			cursor.readAt(position, record);
		}
		PacketEvent event = decoder.decodeAgain(record);
		return why == null ? event : EventCopies.withWhyNoCulprit(event, why);
	}

	/**
	 * Moves the window's records into an archive of its own, before its cursor is released: the
	 * archive takes the store's chunks that hold them (no copy), so the closed window keeps answering
	 * while the session's store goes on with new chunks. Idempotent.
	 */
	synchronized void archive() {
		if (archive == null) {
			archive = cursor.archive(positions.toArray(), size);
			positions = null;
		}
	}

	/** The events {@code from} (inclusive) to {@code to} (exclusive), as an immutable list. */
	List<PacketEvent> range(int from, int to) {
		return new Range(from, to);
	}

	private final class Range extends RecordedEvents {

		private final int from;
		private final int size;

		Range(int from, int to) {
			this.from = from;
			this.size = to - from;
		}

		@Override
		public PacketEvent get(int index) {
			return EventLog.this.get(from + checked(index, size));
		}

		@Override
		public int size() {
			return size;
		}
	}

	/**
	 * Record positions, as offsets from the first in an int each while they fit (a window's
	 * records lie within the store's budget of its start, so they do below 2 GiB), else as longs;
	 * in pages, not one array a flood's millions of events grew by copying ({@link IntColumn}).
	 */
	private static final class Positions {

		private long base = -1;
		private IntColumn offsets = new IntColumn();
		private LongColumn wide;
		private int size;

		void add(long position) {
			if (base < 0) {
				base = position;
			}
			long offset = position - base;
			if (wide == null && (offset < 0 || offset > Integer.MAX_VALUE)) {
				wide = new LongColumn();
				for (int i = 0; i < size; i++) {
					wide.add(base + offsets.get(i));
				}
				offsets = null;
			}
			if (wide != null) {
				wide.add(position);
			} else {
				offsets.add((int) offset);
			}
			size++;
		}

		long get(int index) {
			return wide != null ? wide.get(index) : base + offsets.get(index);
		}

		long[] toArray() {
			long[] all = new long[size];
			for (int i = 0; i < size; i++) {
				all[i] = get(i);
			}
			return all;
		}
	}

	private static int checked(int index, int size) {
		if (index < 0 || index >= size) {
			throw new IndexOutOfBoundsException("event " + index + " of " + size);
		}
		return index;
	}
}
