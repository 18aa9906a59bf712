package io.tracepackets.internal.window;

import io.tracepackets.PacketEvent;
import io.tracepackets.PacketPath;
import io.tracepackets.RecordedEvents;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * The paths nothing joins any more, kept as numbers: per path its skb, its journey and where its
 * events' indices are in one array of them all. A flood's hundreds of thousands of paths are
 * then a few arrays, not three objects each made while the window decodes: the young collections
 * of that burst copied every path made since the one before (each a survivor), took long, and
 * made the collector grow the heap. A path is made an object when it is read, once: the same
 * {@link PacketPath} on every read and in every snapshot, as the identity maps of the assertions
 * expect ({@code Answer.findAll}). Appended to by the window's reader, read by any thread: its
 * methods hold its lock.
 */
final class FinishedPaths {

	/** Per path, by its place in the trace (the order of first events): the sk_buff's address. */
	private long[] skbs = new long[64];
	private long[] journeys = new long[64];
	/** Where the path's indices start in {@link #indices}; -1: no path there (not finished, or no packet's). */
	private int[] firsts = new int[64];
	private int[] counts = new int[64];
	/** The paths made objects so far, by place; null until read. */
	private PacketPath[] made;
	/** The indices of every finished path's events, path after path. */
	private int[] indices = new int[256];
	private int used;
	private final IntFunction<PacketEvent> eventAt;

	FinishedPaths(IntFunction<PacketEvent> eventAt) {
		this.eventAt = eventAt;
		Arrays.fill(firsts, -1);
	}

	/**
	 * Keeps the path at {@code position} as numbers; {@code path}, when not null, is the object
	 * a snapshot already showed for it, which every later read gives.
	 */
	synchronized void finish(int position, long skb, long journey, int[] pathIndices, int count, PacketPath path) {
		if (position >= firsts.length) {
			int length = Math.max(position + 1, firsts.length * 2);
			skbs = Arrays.copyOf(skbs, length);
			journeys = Arrays.copyOf(journeys, length);
			counts = Arrays.copyOf(counts, length);
			int before = firsts.length;
			firsts = Arrays.copyOf(firsts, length);
			Arrays.fill(firsts, before, length, -1);
		}
		if (used + count > indices.length) {
			indices = Arrays.copyOf(indices, Math.max(used + count, indices.length * 2));
		}
		System.arraycopy(pathIndices, 0, indices, used, count);
		skbs[position] = skb;
		journeys[position] = journey;
		firsts[position] = used;
		counts[position] = count;
		used += count;
		if (path != null) {
			made(position)[position] = path;
		}
	}

	/** Whether the path at {@code position} is finished (and a packet's). */
	synchronized boolean has(int position) {
		return position < firsts.length && firsts[position] >= 0;
	}

	/** The finished path at {@code position}, made once. */
	synchronized PacketPath path(int position) {
		PacketPath[] all = made(position);
		PacketPath path = all[position];
		if (path == null) {
			path = new PacketPath(skbs[position], new PathEvents(firsts[position], counts[position]), journeys[position]);
			all[position] = path;
		}
		return path;
	}

	private PacketPath[] made(int position) {
		if (made == null) {
			made = new PacketPath[Math.max(firsts.length, position + 1)];
		} else if (position >= made.length) {
			made = Arrays.copyOf(made, Math.max(position + 1, firsts.length));
		}
		return made;
	}

	/** The event at {@code at} in {@link #indices}. */
	private PacketEvent eventAt(int at) {
		int index;
		synchronized (this) {
			index = indices[at];
		}
		return eventAt.apply(index);
	}

	/**
	 * A finished path's events, decoded as they are read: {@code count} from {@code first} in the
	 * indices, which later paths only ever append after.
	 */
	private final class PathEvents extends RecordedEvents {

		private final int first;
		private final int count;

		PathEvents(int first, int count) {
			this.first = first;
			this.count = count;
		}

		@Override
		public PacketEvent get(int index) {
			if (index < 0 || index >= count) {
				throw new IndexOutOfBoundsException("event " + index + " of " + count);
			}
			return eventAt(first + index);
		}

		@Override
		public int size() {
			return count;
		}
	}
}
