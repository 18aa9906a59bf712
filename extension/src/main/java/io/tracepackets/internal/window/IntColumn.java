package io.tracepackets.internal.window;

import java.util.Arrays;

/**
 * A growing array of ints in pages of 128 KiB: a flood's window keeps an int or two per event and
 * per path, millions of them, and one array of them all was a humongous object to the collector,
 * copied into a bigger one at each growth, which needed regions side by side that the heap grew to
 * find. Pages are ordinary objects, never copied to grow; the first starts small for a short test.
 * Unset elements are 0. Not thread-safe.
 */
final class IntColumn {

	private int[][] pages = new int[8][];
	/** One more than the highest index set. */
	private int size;

	int get(int index) {
		if (index < 0 || index >= size) {
			throw new IndexOutOfBoundsException("element " + index + " of " + size);
		}
		return at(index);
	}

	/** The element at {@code index}, 0 when never set. */
	int getOrZero(int index) {
		return index >= 0 && index < size ? at(index) : 0;
	}

	/** An element below {@link #size}: 0 where its page, or that far into the first, was never written. */
	private int at(int index) {
		int[] at = pages[Paging.page(index)];
		int offset = Paging.offset(index);
		return at == null || offset >= at.length ? 0 : at[offset];
	}

	void set(int index, int value) {
		int page = Paging.page(index);
		int offset = Paging.offset(index);
		pages = Paging.withSlot(pages, page);
		int[] at = pages[page];
		int length = Paging.lengthFor(page, offset, at == null ? 0 : at.length);
		if (at == null) {
			at = pages[page] = new int[length];
		} else if (length != at.length) {
			at = pages[page] = Arrays.copyOf(at, length);
		}
		at[offset] = value;
		size = Math.max(size, index + 1);
	}

	void add(int value) {
		set(size, value);
	}

	int size() {
		return size;
	}
}
