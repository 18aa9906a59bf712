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
		long[] at = pages[Paging.page(index)];
		int offset = Paging.offset(index);
		return at == null || offset >= at.length ? 0 : at[offset];
	}

	void set(int index, long value) {
		int page = Paging.page(index);
		int offset = Paging.offset(index);
		pages = Paging.withSlot(pages, page);
		long[] at = pages[page];
		int length = Paging.lengthFor(page, offset, at == null ? 0 : at.length);
		if (at == null) {
			at = pages[page] = new long[length];
		} else if (length != at.length) {
			at = pages[page] = Arrays.copyOf(at, length);
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
