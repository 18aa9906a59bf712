package io.tracepackets.internal.window;

import java.util.Arrays;

/**
 * A growing array of references in pages (as {@link IntColumn}, and for the same reason): the
 * paths a flood's window made objects, by place. Unset elements are null. Not thread-safe.
 */
final class RefColumn<T> {

	private Object[][] pages = new Object[8][];

	/** The element at {@code index}, null when never set. */
	@SuppressWarnings("unchecked")
	T get(int index) {
		int page = Paging.page(index);
		int offset = Paging.offset(index);
		return page < pages.length && pages[page] != null && offset < pages[page].length ? (T) pages[page][offset]
				: null;
	}

	void set(int index, T value) {
		int page = Paging.page(index);
		int offset = Paging.offset(index);
		pages = Paging.withSlot(pages, page);
		Object[] at = pages[page];
		int length = Paging.lengthFor(page, offset, at == null ? 0 : at.length);
		if (at == null) {
			at = pages[page] = new Object[length];
		} else if (length != at.length) {
			at = pages[page] = Arrays.copyOf(at, length);
		}
		at[offset] = value;
	}
}
