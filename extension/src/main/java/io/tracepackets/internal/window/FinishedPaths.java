package io.tracepackets.internal.window;

import io.tracepackets.PacketEvent;
import io.tracepackets.PacketPath;
import io.tracepackets.RecordedEvents;
import java.util.ArrayList;
import java.util.Arrays;
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
	private long[] skbs = new long[64];
	private long[] journeys = new long[64];
	/** Where the path's indices start in {@link #indices}; -1: no path there (still open). */
	private int[] firsts = new int[64];
	private int[] counts = new int[64];
	/** Whether it is a packet's path ({@code PathAssembler}'s travelled); else a copy nobody sent. */
	private boolean[] travelled = new boolean[64];
	/** The paths made objects so far, by place; null until read, or until an event joined it since. */
	private PacketPath[] made;
	/** The indices of the paths' events, path after path. */
	private int[] indices = new int[256];
	private int used;
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
		Arrays.fill(firsts, -1);
	}

	/**
	 * Keeps the path at {@code position} as numbers; {@code path}, when not null, is the object
	 * a snapshot already showed for it, which every later read gives.
	 */
	synchronized void finish(int position, long skb, long journey, int[] pathIndices, int count, boolean isTravelled,
			PacketPath path) {
		if (position >= firsts.length) {
			int length = Math.max(position + 1, firsts.length + (firsts.length >> 1));
			skbs = Arrays.copyOf(skbs, length);
			journeys = Arrays.copyOf(journeys, length);
			counts = Arrays.copyOf(counts, length);
			travelled = Arrays.copyOf(travelled, length);
			int before = firsts.length;
			firsts = Arrays.copyOf(firsts, length);
			Arrays.fill(firsts, before, length, -1);
		}
		skbs[position] = skb;
		journeys[position] = journey;
		firsts[position] = append(pathIndices, 0, count, -1);
		counts[position] = count;
		travelled[position] = isTravelled;
		if (path != null) {
			made(position)[position] = path;
		}
	}

	/**
	 * Adds event {@code index} to the finished path at {@code position}: its indices move to the end
	 * of the array, what it was stays for the snapshots taken before.
	 */
	synchronized void join(int position, int index, boolean isTravelled) {
		PacketPath[] all = made(position);
		before.computeIfAbsent(position, p -> new ArrayList<>(1))
				.add(new Before(++joins, firsts[position], counts[position], all[position]));
		all[position] = null;
		firsts[position] = append(indices, firsts[position], counts[position], index);
		counts[position]++;
		travelled[position] |= isTravelled;
	}

	/** Copies {@code count} indices from {@code from} at {@code start}, then {@code extra} unless -1, to the end; returns where. */
	private int append(int[] from, int start, int count, int extra) {
		int needed = used + count + (extra >= 0 ? 1 : 0);
		if (needed > indices.length) {
			int[] grown = Arrays.copyOf(indices, Math.max(needed, indices.length + (indices.length >> 1)));
			if (from == indices) {
				from = grown;
			}
			indices = grown;
		}
		int first = used;
		System.arraycopy(from, start, indices, used, count);
		used += count;
		if (extra >= 0) {
			indices[used++] = extra;
		}
		return first;
	}

	/** How many events joined finished paths so far: what a snapshot notes to show the paths as they were. */
	synchronized int joins() {
		return joins;
	}

	/** Whether the path at {@code position} is finished, and a packet's. */
	synchronized boolean has(int position) {
		return position < firsts.length && firsts[position] >= 0 && travelled[position];
	}

	/** The finished path at {@code position} as it was after {@code joinsSeen} joins, made once. */
	synchronized PacketPath path(int position, int joinsSeen) {
		if (joinsSeen < joins) {
			List<Before> versions = before.get(position);
			if (versions != null) {
				for (Before version : versions) {
					if (version.join > joinsSeen) {
						if (version.made == null) {
							version.made = new PacketPath(skbs[position], new PathEvents(version.first, version.count),
									journeys[position]);
						}
						return version.made;
					}
				}
			}
		}
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
