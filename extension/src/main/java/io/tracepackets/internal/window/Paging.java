package io.tracepackets.internal.window;

import java.util.Arrays;

/**
 * How the columns ({@link IntColumn}, {@link LongColumn}, {@link ShortColumn}, {@link RefColumn})
 * page their elements: pages of 2^15 elements, ordinary objects never copied to grow, where one
 * array of millions was a humongous object to the collector ({@link IntColumn} says more); the
 * first page starts small for a short test and doubles until it is a whole page.
 */
final class Paging {

	static final int PAGE_BITS = 15;
	static final int PAGE = 1 << PAGE_BITS;
	private static final int MASK = PAGE - 1;

	private Paging() {
	}

	static int page(int index) {
		return index >>> PAGE_BITS;
	}

	static int offset(int index) {
		return index & MASK;
	}

	/** {@code pages}, or a longer copy of it, with a slot for page {@code page}. */
	static <P> P[] withSlot(P[] pages, int page) {
		return page < pages.length ? pages : Arrays.copyOf(pages, Math.max(page + 1, pages.length * 2));
	}

	/**
	 * The length page {@code page}, now {@code length} long (0: not made yet), must have to hold
	 * {@code offset}: {@code length} itself when it does.
	 */
	static int lengthFor(int page, int offset, int length) {
		if (offset < length) {
			return length;
		}
		if (length == 0) {
			return page == 0 ? Math.max(256, Integer.highestOneBit(offset) << 1) : PAGE;
		}
		return Math.min(PAGE, Math.max(offset + 1, length * 2));
	}
}
