package io.tracepackets.internal.session;

import static io.tracepackets.DropReason.NO_SOCKET;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.tracepackets.Backend;
import io.tracepackets.EventStoreOverflow;
import io.tracepackets.KernelTest;
import io.tracepackets.PerTestNetwork;
import io.tracepackets.internal.window.TraceWindow;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The event store's byte budget on real floods: a tracer whose store may take 2 MiB (about 24,000
 * events) floods its own namespaces past it. The store never takes more than its budget (counted
 * in bytes by the store, not timed), the path assertions fail naming the budget and the bytes the
 * trace needed, the kernel's counts still answer, and the memory goes back once the window closes.
 * A flood lasts well under a second: the budget, not the flood, is small. A cursor that forgets what
 * it read (the command line's) passes many budgets of the same flood through the store.
 */
@KernelTest
@ExtendWith(PerTestNetwork.class)
class EventStoreBudgetKernelTest {

	private static final long BUDGET = 2L << 20;
	/** How long a flood may go on before the store must have overflowed. */
	private static final Duration OVERFLOW_DEADLINE = Duration.ofSeconds(20);
	/** Nothing listens there: every datagram ends in kfree_skb with NO_SOCKET in the right namespace. */
	private static final int CLOSED_PORT = 9;
	/** What the command line reads at once (LiveTrace.BATCH_EVENTS). */
	private static final int STREAM_BATCH = 4096;

	private static TraceSession session;

	@BeforeAll
	static void startATracerWithASmallStore() {
		session = TraceSession.start(new TracerOptions(Backend.TRACEPOINT, null,
				TracerOptions.DEFAULT_RING_BUFFER_BYTES, BUDGET, false));
	}

	@AfterAll
	static void stopTheTracer() {
		if (session != null) {
			session.close();
		}
	}

	@Test
	void a_flood_past_the_budget_fails_a_path_assertion_naming_the_budget_and_what_the_trace_needed(
			VethNamespaces network) {
		try (TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(1))) {
			// GIVEN both namespaces in scope
			trace.scope(network.leftPath()).scope(network.rightPath());

			// WHEN the left namespace floods a closed port in the right one until the store is full
			long sent = floodUntilTheStoreOverflows(network, trace);

			// THEN the store took no more than its budget, though the trace needed more
			EventStoreOverflow overflow = trace.storeOverflow().orElseThrow();
			assertThat(overflow.budgetBytes()).isEqualTo(BUDGET);
			assertThat(overflow.neededBytes()).isGreaterThan(BUDGET);
			assertThat(session.pump().storePeakBytes()).isLessThanOrEqualTo(BUDGET);
			assertThat(session.pump().storeAllocatedBytes()).isLessThanOrEqualTo(BUDGET);
			// a path assertion fails, naming the budget, what was needed and what narrows the trace
			assertThatExceptionOfType(AssertionError.class)
					.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(CLOSED_PORT)).wereDropped())
					.withMessageContaining("events the event store had no room for")
					.withMessageContaining("The event store's budget, -Dtracepackets.events.bytes=2097152 (2 MiB), was"
							+ " used up: this trace needed ")
					.withMessageContaining("a pcap filter keeps only the packets the test asks about")
					.withMessageContaining("Counts lose nothing");
			// and the kernel's counts still hold every datagram
			assertThat(trace).drops().withReason(NO_SOCKET).inNamespace(network.rightInode()).hasCount(sent);
			System.out.println("sent " + sent + " datagrams; " + overflow + "; store peak "
					+ session.pump().storePeakBytes() + " bytes");
		}
	}

	@Test
	void the_store_gives_its_memory_back_once_no_window_is_open(VethNamespaces network) throws InterruptedException {
		// GIVEN a window that filled the store
		try (TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(1))) {
			trace.scope(network.leftPath()).scope(network.rightPath());
			floodUntilTheStoreOverflows(network, trace);
			assertThat(session.pump().storeAllocatedBytes()).isGreaterThan(BUDGET / 2);
		}

		// WHEN it closes, THEN the reader gives the chunks back when it next finds nothing to read
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (session.pump().storeAllocatedBytes() > 0 && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(session.pump().storeAllocatedBytes()).isZero();
	}

	@Test
	void an_ipv4_event_takes_well_under_the_kernel_s_record_in_the_store(VethNamespaces network) {
		// GIVEN a reader of every event, and a window that scopes both namespaces
		EventCursor cursor = session.pump().openCursor();
		try (TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(1))) {
			trace.scope(network.leftPath()).scope(network.rightPath());

			// WHEN 500 datagrams go from left to right, to a closed port
			Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), CLOSED_PORT).send(500);
			cursor.flush(Duration.ofSeconds(10));

			// THEN each of their ~5 events (queue, transmit, rx, receive, drop) takes under 100 bytes in
			// the store, where the probe wrote 120 and the store kept 168 before
			double perEvent = cursor.storedBytes() / (double) cursor.stored();
			System.out.printf("stored %d events in %d bytes: %.1f bytes per event%n", cursor.stored(),
					cursor.storedBytes(), perEvent);
			assertThat(cursor.stored()).isGreaterThanOrEqualTo(5 * 500);
			assertThat(cursor.overflowed()).isZero();
			assertThat(perEvent).isLessThan(100);
		} finally {
			cursor.close();
			cursor.release();
		}
	}

	@Test
	void a_cursor_that_forgets_each_batch_it_read_passes_a_flood_of_many_times_the_budget(VethNamespaces network)
			throws InterruptedException {
		// GIVEN the command line's way of reading: both namespaces leased, no window, and a cursor
		// read in batches of 4,096 that forgets each batch once handed over
		try (NamespaceFilter.Lease left = session.namespaceFilter().lease(network.leftInode());
				NamespaceFilter.Lease right = session.namespaceFilter().lease(network.rightInode())) {
			EventCursor cursor = session.pump().openCursor();
			AtomicBoolean flooding = new AtomicBoolean(true);
			Thread flood = Thread.ofPlatform().name("flood").start(() -> {
				while (flooding.get()) {
					Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), CLOSED_PORT)
							.flood(Duration.ofMillis(200));
				}
			});
			long handedOver = 0;
			try {
				// WHEN the left namespace floods the right one until eight budgets went through the store
				long deadline = System.nanoTime() + OVERFLOW_DEADLINE.toNanos();
				while (cursor.storedBytes() < 8 * BUDGET && System.nanoTime() < deadline) {
					int read = cursor.read(record -> {
					}, STREAM_BATCH);
					handedOver += read;
					cursor.forgetRead();
					if (read == 0) {
						cursor.awaitProgress(Duration.ofMillis(50).toNanos());
					}
				}
			} finally {
				flooding.set(false);
				flood.join();
				cursor.close();
				cursor.release();
			}

			// THEN eight times what the store may hold passed through it: the pump let each batch go
			// once read, where a reader keeping its events overflows at one budget (the tests above)
			System.out.println("streamed " + cursor.stored() + " events in " + cursor.storedBytes()
					+ " bytes through a " + BUDGET + "-byte store; " + cursor.overflowed() + " overflowed");
			assertThat(cursor.storedBytes()).isGreaterThanOrEqualTo(8 * BUDGET);
			assertThat(handedOver).isPositive().isLessThanOrEqualTo(cursor.stored());
			assertThat(session.pump().storeAllocatedBytes()).isLessThanOrEqualTo(BUDGET);
		}
	}

	/** Floods from left to right, to the closed port, until the store overflowed; how many datagrams went out. */
	private static long floodUntilTheStoreOverflows(VethNamespaces network, TraceWindow trace) {
		long sent = 0;
		long deadline = System.nanoTime() + OVERFLOW_DEADLINE.toNanos();
		do {
			sent += Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), CLOSED_PORT)
					.flood(Duration.ofMillis(300));
			trace.flush();
		} while (trace.storeOverflow().isEmpty() && System.nanoTime() < deadline);
		assertThat(trace.storeOverflow()).as("the 2 MiB store's overflow after %d datagrams", sent).isPresent();
		return sent;
	}
}
