package io.tracepackets.internal.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import org.junit.jupiter.api.Test;

/** The paged arrays read back what was written, across the first page's growth and page ends. */
class ColumnsTest {

	private static final int PAGES = 3 << Paging.PAGE_BITS;

	@Test
	void an_int_column_reads_back_every_element_across_pages() {
		IntColumn column = new IntColumn();
		for (int i = 0; i < PAGES + 5; i++) {
			column.add(i * 7 - 3);
		}
		column.set(PAGES + 100, 42);

		assertThat(column.size()).isEqualTo(PAGES + 101);
		for (int i = 0; i < PAGES + 5; i++) {
			assertThat(column.get(i)).isEqualTo(i * 7 - 3);
		}
		assertThat(column.get(PAGES + 50)).isZero();
		assertThat(column.get(PAGES + 100)).isEqualTo(42);
		assertThat(column.getOrZero(PAGES + 101)).isZero();
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> column.get(PAGES + 101));
	}

	@Test
	void long_short_and_reference_columns_read_back_every_element_across_pages() {
		LongColumn longs = new LongColumn();
		ShortColumn shorts = new ShortColumn();
		RefColumn<String> references = new RefColumn<>();
		for (int i = 0; i < PAGES; i++) {
			longs.add(0xffff888000000000L + i);
			shorts.add((short) (i % 30_000));
			references.set(i, i % 1000 == 0 ? "path " + i : null);
		}

		for (int i = 0; i < PAGES; i++) {
			assertThat(longs.get(i)).isEqualTo(0xffff888000000000L + i);
			assertThat(shorts.get(i)).isEqualTo((short) (i % 30_000));
			assertThat(references.get(i)).isEqualTo(i % 1000 == 0 ? "path " + i : null);
		}
		assertThat(references.get(PAGES * 2)).isNull();
	}

	@Test
	void reads_zero_where_nothing_was_written_below_the_highest_element() {
		// a hash table's slots, and paths finished out of order, are written anywhere first
		IntColumn ints = new IntColumn();
		LongColumn longs = new LongColumn();
		ints.set(PAGES, 5);
		longs.set(PAGES, 6L);
		longs.set(300, 7L);

		assertThat(ints.get(1 << Paging.PAGE_BITS)).isZero();
		assertThat(ints.getOrZero(1000)).isZero();
		assertThat(ints.get(PAGES)).isEqualTo(5);
		assertThat(longs.get(299)).isZero();
		assertThat(longs.get(40_000)).isZero();
		assertThat(longs.get(300)).isEqualTo(7L);
		assertThat(longs.get(PAGES)).isEqualTo(6L);
	}
}
