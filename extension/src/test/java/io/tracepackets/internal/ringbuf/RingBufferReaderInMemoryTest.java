package io.tracepackets.internal.ringbuf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RingBufferReaderInMemoryTest {

	private static final int BUSY = RingBufferReader.BUSY_BIT;
	private static final int DISCARDED = RingBufferReader.DISCARD_BIT;
	private static final long PAGE = RingBufferReader.PAGE_SIZE;
	/** The ring's data: one page, after the producer's page. */
	private static final long RING_BYTES = PAGE;

	@Test
	void hands_over_committed_records_skips_discarded_ones_and_stops_at_one_being_written() {
		try (Arena arena = Arena.ofConfined()) {
			// GIVEN a ring laid out as the kernel lays one out: a record, a discarded one, one still being written
			MemorySegment consumer = arena.allocate(PAGE, PAGE);
			MemorySegment producer = arena.allocate(PAGE + RING_BYTES, PAGE);
			long at = record(producer, 0, 12, 0, 0x11);
			at = record(producer, at, 20, DISCARDED, 0x22);
			long busy = at;
			at = record(producer, at, 4, BUSY, 0x33);
			producer.set(JAVA_LONG, 0, at);
			List<Integer> seen = new ArrayList<>();

			try (RingBufferReader reader = RingBufferReader.inMemory(consumer, producer, RING_BYTES)) {
				// WHEN it drains
				int first = reader.drain((data, offset, length) -> seen.add(data.get(JAVA_INT, offset)));

				// THEN the first record only, and the consumer position stops before the busy one
				assertThat(first).isEqualTo(1);
				assertThat(seen).containsExactly(0x11);
				assertThat(consumer.get(JAVA_LONG, 0)).isEqualTo(busy);

				// WHEN the busy record is committed
				producer.set(JAVA_INT, PAGE + busy, 4);
				int second = reader.drain((data, offset, length) -> seen.add(data.get(JAVA_INT, offset)));

				// THEN it follows, and the ring is empty
				assertThat(second).isEqualTo(1);
				assertThat(seen).containsExactly(0x11, 0x33);
				assertThat(reader.pendingBytes()).isZero();
				assertThatThrownBy(() -> reader.await(1)).isInstanceOf(IllegalStateException.class)
						.hasMessageContaining("no kernel");
			}
		}
	}

	/** Writes a record of {@code length} bytes at ring position {@code at}; returns the next position. */
	private static long record(MemorySegment producer, long at, int length, int flags, int firstWord) {
		producer.set(JAVA_INT, PAGE + at, length | flags);
		producer.set(JAVA_INT, PAGE + at + RingBufferReader.HEADER_SIZE, firstWord);
		return at + ((length + RingBufferReader.HEADER_SIZE + 7) & ~7L);
	}
}
