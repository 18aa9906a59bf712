package io.tracepackets.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.tracepackets.internal.event.EventLayout;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The event store's byte accounting: what a record costs, when memory is taken and given back,
 * overflow, and retention that follows a streaming reader.
 */
class EventStoreTest {

	private static final int RECORD_BYTES = EventLayout.recordSize(0);

	/** An IPv4 UDP event as a tracepoint writes it in a namespace: no location, drop reason or mark. */
	private static byte[] udpEvent(long sequence) {
		ByteBuffer b = ByteBuffer.allocate(EventLayout.SIZE).order(ByteOrder.LITTLE_ENDIAN);
		b.putLong(EventLayout.TS_NS, 7_000_000_000L + sequence);
		b.putLong(EventLayout.SKB, 0xffff88810f6b1900L + sequence * 256);
		b.putInt(EventLayout.NETNS, (int) 4026532247L);
		b.putInt(EventLayout.IFINDEX, 2);
		b.putInt(EventLayout.LEN, 57);
		b.putInt(EventLayout.PID, 4242);
		b.putShort(EventLayout.STACK_ID, (short) -1);
		b.putShort(EventLayout.CPU, (short) 1);
		b.putShort(EventLayout.PROTOCOL, (short) 0x0800);
		b.put(EventLayout.PROBE, (byte) 4);
		b.put(EventLayout.IP_VERSION, (byte) 4);
		b.put(EventLayout.L4_PROTO, (byte) 17);
		b.putShort(EventLayout.SPORT, (short) 51470);
		b.putShort(EventLayout.DPORT, (short) 9);
		b.put(EventLayout.SADDR, new byte[] { 10, (byte) 231, 0, 1 });
		b.put(EventLayout.DADDR, new byte[] { 10, (byte) 231, 0, 2 });
		b.put(EventLayout.COMM, "tracepackets-tr".getBytes(StandardCharsets.US_ASCII));
		b.putLong(EventLayout.JOURNEY, 0x9e3779b97f4a7c15L * (sequence + 1));
		return b.array();
	}

	private static boolean append(EventStore store, byte[] record) {
		return store.append(MemorySegment.ofArray(record), 0, record.length);
	}

	private static EventStore.Position open(EventStore store) {
		store.publish();
		EventStore.Position start = store.published();
		store.retainFrom(start);
		return start;
	}

	@Test
	void an_ipv4_event_keeps_only_its_non_zero_words() {
		EventStore store = new EventStore(EventStore.MIN_BUDGET_BYTES, RECORD_BYTES);
		EventStore.Position start = open(store);

		assertThat(append(store, udpEvent(0))).isTrue();
		store.publish();

		// 30 words, 10 of them zero (location 2, mark, drop reason, 3 of each address): 20 words,
		// a 2-byte count and a 4-byte bitmap
		assertThat(store.published().bytes() - start.bytes()).isEqualTo(2 + 4 + 20 * 4).isLessThan(RECORD_BYTES / 2 + 4);
	}

	@Test
	void reads_back_every_record_as_written_across_chunks_and_the_ring_s_wrap() {
		EventStore store = new EventStore(EventStore.MIN_BUDGET_BYTES, RECORD_BYTES);
		List<byte[]> written = new ArrayList<>();
		byte[] read = new byte[store.recordBytes()];
		// Three rounds of ~0.7 MiB through a 1 MiB ring: records straddle chunk ends and the ring wraps.
		for (int round = 0; round < 3; round++) {
			EventStore.Position start = open(store);
			written.clear();
			for (int i = 0; i < 8000; i++) {
				byte[] event = udpEvent(round * 8000L + i);
				if (i % 7 == 0) { // a NAT trailer's fields after some
					event = Arrays.copyOf(event, EventLayout.SIZE + EventLayout.PRE_NAT_SIZE);
					event[EventLayout.TRAILERS] = EventLayout.TRAILER_NAT;
					Arrays.fill(event, EventLayout.SIZE, EventLayout.SIZE + 4, (byte) 10);
					event[EventLayout.SIZE + EventLayout.PRE_NAT_NAT] = EventLayout.NAT_DESTINATION;
				}
				assertThat(append(store, event)).isTrue();
				written.add(event);
			}
			store.publish();
			long at = start.bytes();
			for (byte[] event : written) {
				at = store.read(at, read);
				byte[] expected = Arrays.copyOf(event, store.recordBytes());
				Arrays.fill(expected, Math.min(event.length, RECORD_BYTES), expected.length, (byte) 0);
				assertThat(read).isEqualTo(expected);
			}
			assertThat(at).isEqualTo(store.published().bytes());
			store.retainFrom(null);
		}
	}

	@Test
	void keeps_packet_bytes_whole_and_pays_for_the_bytes_captured_not_the_snap_length() {
		// GIVEN a session capturing 126 bytes a packet (not a whole number of words), and a 60-byte
		// datagram captured after its event, in a ring buffer record padded to whole cache lines
		int snapLength = 126;
		EventStore store = new EventStore(EventStore.MIN_BUDGET_BYTES, EventLayout.recordSize(snapLength));
		EventStore.Position start = open(store);
		byte[] record = Arrays.copyOf(udpEvent(1), 312);
		record[EventLayout.TRAILERS] = EventLayout.TRAILER_CAPTURE;
		ByteBuffer capture = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
		int at = EventLayout.captureOffset(EventLayout.TRAILER_CAPTURE);
		capture.putInt(at + EventLayout.CAPTURE_ORIG_LEN, 60).putShort(at + EventLayout.CAPTURE_CAP_LEN, (short) 60)
				.putShort(at + EventLayout.CAPTURE_LINK_TYPE, (short) 1);
		for (int i = 0; i < 60; i++) {
			record[at + EventLayout.CAPTURE_HEADER_SIZE + i] = (byte) (i * 7 + 1);
		}

		// WHEN
		assertThat(append(store, record)).isTrue();
		store.publish();

		// THEN it reads back as written, and costs its 60 bytes, not the 126 it had room for
		byte[] read = new byte[store.recordBytes()];
		store.read(start.bytes(), read);
		assertThat(Arrays.copyOf(read, record.length)).isEqualTo(record);
		long stored = store.published().bytes() - start.bytes();
		assertThat(stored).isEqualTo(2 + (record.length / 4 + 7) / 8 + 4 * (20 + 2 + 15)).isLessThan(record.length / 2 + 20);
	}

	@Test
	void takes_memory_as_it_fills_and_gives_it_back_when_no_reader_wants_any() {
		EventStore store = new EventStore(64L << 20, RECORD_BYTES);
		assertThat(store.allocatedBytes()).isZero();

		open(store);
		append(store, udpEvent(0));
		assertThat(store.allocatedBytes()).as("one chunk for the first record").isEqualTo(EventStore.MAX_CHUNK_BYTES);
		for (int i = 1; i < 20_000; i++) {
			append(store, udpEvent(i));
		}
		store.publish();
		long used = store.published().bytes();
		assertThat(store.allocatedBytes()).isEqualTo((used / EventStore.MAX_CHUNK_BYTES + 1) * EventStore.MAX_CHUNK_BYTES)
				.isLessThan(64L << 20);

		store.releaseIfUnwanted();
		assertThat(store.allocatedBytes()).as("kept while a reader is open").isPositive();
		store.retainFrom(null);
		store.releaseIfUnwanted();
		assertThat(store.allocatedBytes()).isZero();
	}

	@Test
	void stores_nothing_while_no_reader_is_open() {
		EventStore store = new EventStore(EventStore.MIN_BUDGET_BYTES, RECORD_BYTES);

		assertThat(append(store, udpEvent(0))).isFalse();
		store.publish();

		assertThat(store.published()).isEqualTo(new EventStore.Position(0, 0));
		assertThat(store.allocatedBytes()).isZero();
		assertThat(store.overflowed()).isZero();
	}

	@Test
	void counts_the_events_and_bytes_past_the_budget_and_keeps_the_ones_before() {
		EventStore store = new EventStore(EventStore.MIN_BUDGET_BYTES, RECORD_BYTES);
		EventStore.Position start = open(store);
		int perEvent = 2 + 4 + 20 * 4;

		int kept = 0;
		for (int i = 0; i < 20_000; i++) {
			if (append(store, udpEvent(i))) {
				kept++;
			}
		}
		store.publish();

		assertThat(kept).isEqualTo(store.published().sequence()).isBetween(
				(int) (EventStore.MIN_BUDGET_BYTES / perEvent) - 4 * 8, (int) (EventStore.MIN_BUDGET_BYTES / perEvent));
		assertThat(store.overflowed()).isEqualTo(20_000 - kept);
		assertThat(store.overflowedBytes()).isEqualTo((20_000L - kept) * perEvent);
		assertThat(store.published().bytes() - start.bytes()).isLessThanOrEqualTo(EventStore.MIN_BUDGET_BYTES);
		assertThat(store.allocatedBytes()).isEqualTo(EventStore.MIN_BUDGET_BYTES);
		// the records kept are intact: the first and the last
		byte[] read = new byte[store.recordBytes()];
		long at = store.read(start.bytes(), read);
		assertThat(Arrays.copyOf(read, EventLayout.SIZE)).isEqualTo(udpEvent(0));
		for (int i = 1; i < kept; i++) {
			at = store.read(at, read);
		}
		assertThat(Arrays.copyOf(read, EventLayout.SIZE)).isEqualTo(udpEvent(kept - 1));
	}

	@Test
	void a_reader_that_opened_later_frees_room_only_when_the_older_one_goes() {
		EventStore store = new EventStore(EventStore.MIN_BUDGET_BYTES, RECORD_BYTES);
		open(store);
		for (int i = 0; i < 6_000; i++) {
			append(store, udpEvent(i));
		}
		store.publish();
		EventStore.Position second = store.published();

		// the first reader is still open: the store is full after ~12,000 records in all
		int keptWhileBoth = 0;
		for (int i = 0; i < 10_000; i++) {
			keptWhileBoth += append(store, udpEvent(i)) ? 1 : 0;
		}
		assertThat(keptWhileBoth).isLessThan(10_000);
		long overflowedWhileBoth = store.overflowed();
		assertThat(overflowedWhileBoth).isPositive();

		// the first closes: the second keeps from its own start
		store.retainFrom(second);
		store.publish();
		int keptAfter = 0;
		for (int i = 0; i < 5_000; i++) {
			keptAfter += append(store, udpEvent(i)) ? 1 : 0;
		}
		assertThat(keptAfter).isEqualTo(5_000);
		assertThat(store.overflowed()).isEqualTo(overflowedWhileBoth);
	}

	@Test
	void passes_ten_times_its_budget_to_a_reader_that_forgets_each_batch_it_read() {
		// GIVEN a 1 MiB store and a reader that keeps only what it has not read yet (the command
		// line's cursor, which forgets each batch once handed over)
		EventStore store = new EventStore(EventStore.MIN_BUDGET_BYTES, RECORD_BYTES);
		EventStore.Position next = open(store);
		byte[] read = new byte[store.recordBytes()];
		long sequence = 0;

		// WHEN events come in batches of 4,096, each read, then forgotten
		while (next.bytes() < 10 * EventStore.MIN_BUDGET_BYTES) {
			for (int i = 0; i < 4096; i++, sequence++) {
				assertThat(append(store, udpEvent(sequence))).as("event %d", sequence).isTrue();
			}
			store.publish();
			long at = next.bytes();
			for (long s = next.sequence(); s < store.published().sequence(); s++) {
				at = store.read(at, read);
				// THEN every event reads back as appended, in order
				assertThat(Arrays.copyOf(read, EventLayout.SIZE)).as("event %d", s).isEqualTo(udpEvent(s));
			}
			assertThat(at).isEqualTo(store.published().bytes());
			next = store.published();
			store.retainFrom(next);
		}

		// and none overflowed, while what the reader had not caught up with never passed the budget
		// (a reader keeping its events from its start overflows at the budget: see above)
		assertThat(store.overflowed()).isZero();
		assertThat(store.peakRetainedBytes()).isLessThanOrEqualTo(EventStore.MIN_BUDGET_BYTES / 2);
		assertThat(store.allocatedBytes()).isEqualTo(EventStore.MIN_BUDGET_BYTES);
	}

	@Test
	void an_archive_keeps_reading_its_records_while_the_writer_laps_the_ring_and_after_a_release() {
		EventStore store = new EventStore(EventStore.MIN_BUDGET_BYTES, RECORD_BYTES);
		EventStore.Position start = open(store);
		List<byte[]> written = new ArrayList<>();
		for (int i = 0; i < 9000; i++) {
			byte[] event = udpEvent(i);
			if (i % 5 == 0) { // longer records among them, with a NAT trailer
				event = Arrays.copyOf(event, EventLayout.SIZE + EventLayout.PRE_NAT_SIZE);
				event[EventLayout.TRAILERS] = EventLayout.TRAILER_NAT;
				Arrays.fill(event, EventLayout.SIZE, EventLayout.SIZE + 4, (byte) 10);
			}
			assertThat(append(store, event)).isTrue();
			written.add(event);
		}
		store.publish();
		// every third record, the way a window keeps those in its scope; they span the four chunks
		long[] positions = new long[written.size() / 3];
		byte[] read = new byte[store.recordBytes()];
		long at = start.bytes();
		for (int i = 0; i < written.size(); i++) {
			if (i % 3 == 0) {
				positions[i / 3] = at;
			}
			at = store.read(at, read);
		}
		RecordArchive archive = store.archive(positions, positions.length);

		// WHEN its reader is gone and the writer laps the ring twice with other records
		store.retainFrom(null);
		open(store);
		for (int i = 0; i < 20_000; i++) {
			assertThat(append(store, udpEvent(1_000_000 + i))).isTrue();
			if (i % 1000 == 0) {
				store.retainFrom(null);
				store.publish();
				open(store);
			}
		}
		store.retainFrom(null);
		store.releaseIfUnwanted();

		// THEN the archive reads what it was given
		assertThat(store.allocatedBytes()).isZero();
		assertThat(archive.size()).isEqualTo(3000);
		for (int i = 0; i < archive.size(); i++) {
			archive.read(i, read);
			assertThat(read).as("record %d", i * 3).isEqualTo(Arrays.copyOf(written.get(i * 3), store.recordBytes()));
		}
	}

	@Test
	void refuses_a_budget_below_a_mebibyte() {
		assertThatIllegalArgumentException().isThrownBy(() -> new EventStore(4096, RECORD_BYTES))
				.withMessage("the event store's budget must be at least 1048576 bytes, got 4096");
	}
}
