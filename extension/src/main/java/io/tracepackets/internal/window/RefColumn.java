package io.tracepackets.internal.window;

import java.util.Arrays;

/**
 * A growing array of references in pages (as {@link IntColumn}, and for the same reason): the
 * paths a flood's window made objects, by place. Unset elements are null. Not thread-safe.
 */
final class RefColumn<T> {

	private static final int PAGE_BITS = 15;
	private static final int PAGE = 1 << PAGE_BITS;
	private static final int MASK = PAGE - 1;

	private Object[][] pages = new Object[8][];

	/** The element at {@code index}, null when never set. */
	@SuppressWarnings("unchecked")
	T get(int index) {
		int page = index >>> PAGE_BITS;
		int offset = index & MASK;
		return page < pages.length && pages[page] != null && offset < pages[page].length ? (T) pages[page][offset]
				: null;
	}

	void set(int index, T value) {
		int page = index >>> PAGE_BITS;
		int offset = index & MASK;
		if (page >= pages.length) {
			pages = Arrays.copyOf(pages, Math.max(page + 1, pages.length * 2));
		}
		Object[] at = pages[page];
		if (at == null) {
			at = pages[page] = new Object[page == 0 ? Math.max(256, Integer.highestOneBit(offset) << 1) : PAGE];
		} else if (offset >= at.length) {
			at = pages[page] = Arrays.copyOf(at, Math.min(PAGE, Math.max(offset + 1, at.length * 2)));
		}
		at[offset] = value;
	}
}
