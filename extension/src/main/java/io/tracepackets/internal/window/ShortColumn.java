package io.tracepackets.internal.window;

import java.util.Arrays;

/**
 * A growing array of shorts in pages of 64 KiB, as {@link IntColumn} and for the same reason: a
 * flood's window keeps one per event. Unset elements are 0. Not thread-safe.
 */
final class ShortColumn {

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
		short[] at = pages[Paging.page(index)];
		int offset = Paging.offset(index);
		return at == null || offset >= at.length ? 0 : at[offset];
	}

	void set(int index, short value) {
		int page = Paging.page(index);
		int offset = Paging.offset(index);
		pages = Paging.withSlot(pages, page);
		short[] at = pages[page];
		int length = Paging.lengthFor(page, offset, at == null ? 0 : at.length);
		if (at == null) {
			at = pages[page] = new short[length];
		} else if (length != at.length) {
			at = pages[page] = Arrays.copyOf(at, length);
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
