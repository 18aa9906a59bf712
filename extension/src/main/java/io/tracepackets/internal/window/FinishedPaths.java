package io.tracepackets.internal.window;

import io.tracepackets.PacketEvent;
import io.tracepackets.PacketPath;
import io.tracepackets.RecordedEvents;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The paths whose packets were freed or left, kept as numbers: per path its skb, its journey and
 * where its events' indices are in one array of them all. A flood's hundreds of thousands of
 * paths are then a few arrays, not objects made while the window decodes: the young collections
 * of that burst copied every path made since the one before and every path still waiting for its
 * address to come back (each a survivor), took long, and made the collector grow the heap. A path
 * is made an object when it is read, once: the same {@link PacketPath} on every read and in every
 * snapshot, as the identity maps of the assertions expect ({@code Answer.findAll}).
 *
 * <p>An event may still join a freed packet's path (the return of a function that freed it, its
 * teardown): the path's indices then move to the end of the array with the new one, and what it
 * was is kept for the snapshots taken before ({@link #path(int, int)}). Appended to by the
 * window's reader, read by any thread: its methods hold its lock.
 */
final class FinishedPaths {

	/** Per path, by its place in the trace (the order of first events): the sk_buff's address. */
	private final LongColumn skbs = new LongColumn();
	private final LongColumn journeys = new LongColumn();
	/** 1 + where the path's indices start in {@link #indices}; 0: no path there (still open). */
	private final IntColumn firsts = new IntColumn();
	/**
	 * How many events, times two, plus one when it is a packet's path ({@code PathAssembler}'s
	 * travelled), not a copy nobody sent.
	 */
	private final IntColumn counts = new IntColumn();
	/** The paths made objects so far, by place; null until read, or until an event joined it since. */
	private final RefColumn<PacketPath> made = new RefColumn<>();
	/** The indices of the paths' events, path after path. */
	private final IntColumn indices = new IntColumn();
	/** Events that joined a path here so far: a snapshot's count tells which version of a path it shows. */
	private int joins;
	/** What each path that an event joined was before, by place, in the order of the joins. */
	private final Map<Integer, List<Before>> before = new HashMap<>();
	private final IntFunction<PacketEvent> eventAt;

	/** A path as it was until join number {@code join} changed it. */
	private static final class Before {
		final int join;
		final int first;
		final int count;
		PacketPath made;

		Before(int join, int first, int count, PacketPath made) {
			this.join = join;
			this.first = first;
			this.count = count;
			this.made = made;
		}
	}

	FinishedPaths(IntFunction<PacketEvent> eventAt) {
		this.eventAt = eventAt;
	}

	/**
	 * Keeps the path at {@code position} as numbers; {@code path}, when not null, is the object
	 * a snapshot already showed for it, which every later read gives.
	 */
	synchronized void finish(int position, long skb, long journey, int[] pathIndices, int count, boolean isTravelled,
			PacketPath path) {
		skbs.set(position, skb);
		journeys.set(position, journey);
		firsts.set(position, 1 + indices.size());
		for (int i = 0; i < count; i++) {
			indices.add(pathIndices[i]);
		}
		counts.set(position, count << 1 | (isTravelled ? 1 : 0));
		if (path != null) {
			made.set(position, path);
		}
	}

	/**
	 * Adds event {@code index} to the finished path at {@code position}: its indices move to the end,
	 * what it was stays for the snapshots taken before.
	 */
	synchronized void join(int position, int index, boolean isTravelled) {
		int first = firsts.get(position) - 1;
		int count = counts.get(position) >>> 1;
		before.computeIfAbsent(position, p -> new ArrayList<>(1)).add(new Before(++joins, first, count, made.get(position)));
		made.set(position, null);
		firsts.set(position, 1 + indices.size());
		for (int i = 0; i < count; i++) {
			indices.add(indices.get(first + i));
		}
		indices.add(index);
		counts.set(position, (count + 1) << 1 | counts.get(position) & 1 | (isTravelled ? 1 : 0));
	}

	/** How many events joined finished paths so far: what a snapshot notes to show the paths as they were. */
	synchronized int joins() {
		return joins;
	}

	/** Whether the path at {@code position} is finished, and a packet's. */
	synchronized boolean has(int position) {
		return firsts.getOrZero(position) != 0 && (counts.get(position) & 1) != 0;
	}

	/** The finished path at {@code position} as it was after {@code joinsSeen} joins, made once. */
	synchronized PacketPath path(int position, int joinsSeen) {
		if (joinsSeen < joins) {
			List<Before> versions = before.get(position);
			if (versions != null) {
				for (Before version : versions) {
					if (version.join > joinsSeen) {
						if (version.made == null) {
							version.made = new PacketPath(skbs.get(position), new PathEvents(version.first, version.count),
									journeys.get(position));
						}
						return version.made;
					}
				}
			}
		}
		PacketPath path = made.get(position);
		if (path == null) {
			path = new PacketPath(skbs.get(position), new PathEvents(firsts.get(position) - 1, counts.get(position) >>> 1),
					journeys.get(position));
			made.set(position, path);
		}
		return path;
	}

	/** The event at {@code at} in {@link #indices}. */
	private PacketEvent eventAt(int at) {
		int index;
		synchronized (this) {
			index = indices.get(at);
		}
		return eventAt.apply(index);
	}

	/**
	 * A finished path's events, decoded as they are read: {@code count} from {@code first} in the
	 * indices, which are never written again (a join copies them to the end).
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
