package io.tracepackets.internal.window;

import java.util.Arrays;

/**
 * A growing array of longs in pages of 256 KiB: a flood's window keeps a long or two per path and
 * per event, millions of them, and one array of them all was a humongous object to the collector,
 * copied into a bigger one at each growth, which needed regions side by side that the heap grew to
 * find. Pages are ordinary objects, never copied to grow; the first starts small for a short test.
 * Unset elements are 0. Not thread-safe.
 */
final class LongColumn {

	static final int PAGE_BITS = 15;
	private static final int PAGE = 1 << PAGE_BITS;
	private static final int MASK = PAGE - 1;

	private long[][] pages = new long[8][];
	/** One more than the highest index set. */
	private int size;

	long get(int index) {
		if (index < 0 || index >= size) {
			throw new IndexOutOfBoundsException("element " + index + " of " + size);
		}
		return at(index);
	}

	/** The element at {@code index}, 0 when never set. */
	long getOrZero(int index) {
		return index >= 0 && index < size ? at(index) : 0;
	}

	/** An element below {@link #size}: 0 where its page, or that far into the first, was never written. */
	private long at(int index) {
		int page = index >>> PAGE_BITS;
		int offset = index & MASK;
		long[] at = pages[page];
		return at == null || offset >= at.length ? 0 : at[offset];
	}

	void set(int index, long value) {
		int page = index >>> PAGE_BITS;
		int offset = index & MASK;
		if (page >= pages.length) {
			pages = Arrays.copyOf(pages, Math.max(page + 1, pages.length * 2));
		}
		long[] at = pages[page];
		if (at == null) {
			at = pages[page] = new long[page == 0 ? Math.max(256, Integer.highestOneBit(offset) << 1) : PAGE];
		} else if (offset >= at.length) {
			at = pages[page] = Arrays.copyOf(at, Math.min(PAGE, Math.max(offset + 1, at.length * 2)));
		}
		at[offset] = value;
		size = Math.max(size, index + 1);
	}

	void add(long value) {
		set(size, value);
	}

	int size() {
		return size;
	}
}
