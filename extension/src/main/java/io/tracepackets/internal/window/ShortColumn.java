package io.tracepackets.internal.window;

import java.util.Arrays;

/**
 * A growing array of shorts in pages of 64 KiB, as {@link IntColumn} and for the same reason: a
 * flood's window keeps one per event. Unset elements are 0. Not thread-safe.
 */
final class ShortColumn {

	static final int PAGE_BITS = 15;
	private static final int PAGE = 1 << PAGE_BITS;
	private static final int MASK = PAGE - 1;

	private short[][] pages = new short[8][];
	/** One more than the highest index set. */
	private int size;

	short get(int index) {
		if (index < 0 || index >= size) {
			throw new IndexOutOfBoundsException("element " + index + " of " + size);
		}
		return at(index);
	}

	/** The element at {@code index}, 0 when never set. */
	short getOrZero(int index) {
		return index >= 0 && index < size ? at(index) : 0;
	}

	/** An element below {@link #size}: 0 where its page, or that far into the first, was never written. */
	private short at(int index) {
		int page = index >>> PAGE_BITS;
		int offset = index & MASK;
		short[] at = pages[page];
		return at == null || offset >= at.length ? 0 : at[offset];
	}

	void set(int index, short value) {
		int page = index >>> PAGE_BITS;
		int offset = index & MASK;
		if (page >= pages.length) {
			pages = Arrays.copyOf(pages, Math.max(page + 1, pages.length * 2));
		}
		short[] at = pages[page];
		if (at == null) {
			at = pages[page] = new short[page == 0 ? Math.max(256, Integer.highestOneBit(offset) << 1) : PAGE];
		} else if (offset >= at.length) {
			at = pages[page] = Arrays.copyOf(at, Math.min(PAGE, Math.max(offset + 1, at.length * 2)));
		}
		at[offset] = value;
		size = Math.max(size, index + 1);
	}

	void add(short value) {
		set(size, value);
	}

	int size() {
		return size;
	}
}
