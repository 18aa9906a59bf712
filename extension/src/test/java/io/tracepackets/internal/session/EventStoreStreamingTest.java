package io.tracepackets.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * The store as a streaming reader uses it (the command line, through a cursor that forgets each
 * batch it read): the store recycles what was read, so any number of events passes through its
 * fixed capacity; a reader that keeps its events from its start (a test's window) sees the store
 * overflow at that capacity instead.
 */
class EventStoreStreamingTest {

	private static final int RECORD = 64;
	private static final long CAPACITY = 2L * EventStore.CHUNK_EVENTS;

	@Test
	void should_pass_ten_times_its_capacity_to_a_reader_that_forgets_what_it_read() {
		// GIVEN a store of two chunks and a reader retaining from where it read up to
		EventStore store = new EventStore(CAPACITY, RECORD);
		long next = 0;
		store.retainFrom(next);
		byte[] read = new byte[RECORD];
		long events = 10 * CAPACITY;

		// WHEN events come in batches, each read, then forgotten
		for (long sequence = 0; sequence < events; ) {
			for (int i = 0; i < 4096 && sequence < events; i++, sequence++) {
				assertThat(store.append(record(sequence), 0, RECORD)).isTrue();
			}
			store.publish();
			for (; next < store.published(); next++) {
				store.read(next, read);
				// THEN every event reads back as it was appended, in order
				assertThat(ByteBuffer.wrap(read).order(ByteOrder.LITTLE_ENDIAN).getLong(0)).isEqualTo(next);
			}
			store.retainFrom(next);
		}

		// and none overflowed
		assertThat(next).isEqualTo(events);
		assertThat(store.overflowed()).isZero();
	}

	@Test
	void should_overflow_at_its_capacity_for_a_reader_that_keeps_its_events() {
		// GIVEN a store of two chunks and a reader retaining from its start
		EventStore store = new EventStore(CAPACITY, RECORD);
		store.retainFrom(0);

		// WHEN more events than the capacity arrive
		for (long sequence = 0; sequence < CAPACITY + 100; sequence++) {
			store.append(record(sequence), 0, RECORD);
		}

		// THEN the ones beyond it are counted as overflowed, not kept
		assertThat(store.overflowed()).isEqualTo(100);
	}

	private static MemorySegment record(long sequence) {
		byte[] bytes = new byte[RECORD];
		ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, sequence);
		return MemorySegment.ofArray(bytes);
	}
}
