package io.tracepackets.internal.session;

import static io.tracepackets.DropReason.NO_SOCKET;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.tracepackets.Backend;
import io.tracepackets.KernelCounts;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketEvent;
import io.tracepackets.PerTestNetwork;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.btf.KernelFunctions;
import io.tracepackets.internal.window.TraceWindow;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The probes' exact counts on real floods: a tracer with a deliberately tiny ring buffer (8 KiB, 64
 * events) loses most of a flood's events, yet the counts hold every datagram the sender sent. One
 * tracer for the class, as one JVM's tests share one: windows that overlap count each from its own
 * start, and a namespace no window scopes any more starts again from zero.
 */
@KernelTest
@ExtendWith(PerTestNetwork.class)
class KernelCountsKernelTest {

	private static final int TINY_RING_BUFFER = 8192;
	private static final Duration FLOOD = Duration.ofMillis(500);
	/** How long a flood may go on before the ring buffer must have overflowed. */
	private static final Duration LOSS_DEADLINE = Duration.ofSeconds(20);
	/** Nothing listens there: every datagram ends in kfree_skb with NO_SOCKET in the right namespace. */
	private static final int CLOSED_PORT = 9;

	private static TraceSession session;

	@BeforeAll
	static void startATracerWithATinyRingBuffer() {
		session = TraceSession.start(new TracerOptions(Backend.TRACEPOINT, null, TINY_RING_BUFFER,
				4L << 20, false));
	}

	@AfterAll
	static void stopTheTracer() {
		if (session != null) {
			session.close();
		}
	}

	@Test
	void every_datagram_of_a_flood_that_overflows_the_ring_buffer_is_counted_as_dropped(VethNamespaces network) {
		try (TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(10))) {
			// GIVEN both namespaces in scope
			trace.scope(network.leftPath()).scope(network.rightPath());

			// WHEN the left namespace floods a port nobody listens on in the right one, until the trace lost events
			long sent = floodUntilEventsAreLost(network, trace);

			// THEN the counts still have every datagram, dropped for NO_SOCKET in the right namespace,
			// and transmitted on the left veth
			assertThat(trace).drops().withReason(NO_SOCKET).inNamespace(network.rightInode()).hasCount(sent);
			assertThat(trace).drops().withReason(NO_SOCKET).hasCount(sent);
			assertThat(trace).counts().at("net_dev_start_xmit").isAtLeast(sent);
			System.out.println("sent " + sent + ", lost " + trace.lostEvents() + " events; counted:\n" + trace.counts());
		}
	}

	@Test
	void a_path_assertion_still_fails_when_the_trace_lost_events(VethNamespaces network) {
		try (TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(1))) {
			// GIVEN both namespaces in scope, and a flood the ring buffer could not hold
			trace.scope(network.leftPath()).scope(network.rightPath());
			long sent = floodUntilEventsAreLost(network, trace);

			// WHEN / THEN which packets were dropped, and where, is a question of paths: it cannot be
			// answered, and the failure says what was lost and what still answers
			assertThatExceptionOfType(AssertionError.class)
					.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(CLOSED_PORT)).wereDropped().in("__udp4_lib_rcv"))
					.withMessageContaining("Expecting the trace to hold every event, but it lost:")
					.withMessageContaining("-Dtracepackets.ringbuffer.bytes")
					.withMessageContaining("Counts lose nothing: assertThat(trace).drops()");
			assertThat(trace).drops().withReason(NO_SOCKET).hasCount(sent);
		}
	}

	@Test
	void windows_that_overlap_count_each_from_its_own_start_and_a_later_one_from_zero(VethNamespaces network) {
		try (TraceWindow whole = TraceWindow.open(session, Duration.ofSeconds(10))) {
			// GIVEN a window on both namespaces, which sees a first flood
			whole.scope(network.leftPath()).scope(network.rightPath());
			long first = flood(network);
			assertThat(whole).drops().withReason(NO_SOCKET).hasCount(first);

			// WHEN a second window opens on the same namespaces, and a second flood follows
			long second;
			try (TraceWindow later = TraceWindow.open(session, Duration.ofSeconds(10))) {
				later.scope(network.rightPath()).scope(network.leftPath());
				second = flood(network);

				// THEN the later window counts the second flood only, the first one both
				assertThat(later).drops().withReason(NO_SOCKET).hasCount(second);
				assertThat(whole).drops().withReason(NO_SOCKET).hasCount(first + second);
			}
			// and the first one still counts once the later one is closed
			assertThat(whole).drops().withReason(NO_SOCKET).hasCount(first + second);
		}

		// a window opened after both were closed starts from zero: the namespaces' counts were deleted
		try (TraceWindow afterBoth = TraceWindow.open(session, Duration.ofSeconds(10))) {
			afterBoth.scope(network.leftPath()).scope(network.rightPath());
			assertThat(afterBoth).drops().withReason(NO_SOCKET).isZero();
			int third = Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), CLOSED_PORT).send(3);
			assertThat(afterBoth).drops().withReason(NO_SOCKET).hasCount(third);
		}
	}

	@Test
	void a_closed_window_keeps_the_counts_it_had_at_its_close(VethNamespaces network) {
		// GIVEN a window that saw a flood, closed
		TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(10));
		long sent;
		try {
			trace.scope(network.leftPath()).scope(network.rightPath());
			sent = flood(network);
			assertThat(trace).drops().withReason(NO_SOCKET).hasCount(sent);
		} finally {
			trace.close();
		}

		// WHEN more datagrams are dropped in those namespaces after the close
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), CLOSED_PORT).send(5);

		// THEN
		assertThat(trace).drops().withReason(NO_SOCKET).hasCount(sent);
	}

	@Test
	void without_loss_the_counts_are_the_events_per_probe_point(VethNamespaces network) {
		try (TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(10))) {
			// GIVEN both namespaces in scope, and a few datagrams, which the tiny ring buffer holds
			trace.scope(network.leftPath()).scope(network.rightPath());
			for (int i = 0; i < 5; i++) {
				assertThat(Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), CLOSED_PORT).send(1))
						.isEqualTo(1);
				trace.flush();
			}

			// WHEN the counts and the events are read once nothing moves any more
			KernelCounts counts;
			Map<String, Long> events;
			do {
				counts = trace.counts();
				events = new TreeMap<>(trace.events().stream()
						.collect(Collectors.groupingBy(PacketEvent::where, Collectors.counting())));
			} while (!counts.byHook().equals(trace.counts().byHook()));

			// THEN the probes counted exactly what they emitted
			assertThat(trace.lostEvents()).isZero();
			assertThat(new TreeMap<>(counts.byHook())).isEqualTo(events);
			assertThat(counts.drops()).anySatisfy(drop -> {
				assertThat(drop.reason()).isEqualTo(NO_SOCKET);
				assertThat(drop.count()).isEqualTo(5);
				assertThat(drop.netns()).isEqualTo(network.rightInode());
			});
		}
	}

	@Test
	void the_counts_obey_the_pcap_filter_as_the_events_do(VethNamespaces network) {
		TracerOptions options = TracerOptions.defaults().withBackend(Backend.TRACEPOINT, null)
				.withPcapFilter("udp dst port 9000");
		try (TraceSession filtered = TraceSession.start(options);
				TraceWindow trace = TraceWindow.open(filtered, Duration.ofSeconds(10))) {
			// GIVEN a tracer that keeps UDP to port 9000 only
			trace.scope(network.leftPath()).scope(network.rightPath());

			// WHEN datagrams go to 9000 and to 9001, where nothing listens either
			int toTheFilter = Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 9000).send(3);
			int elsewhere = Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 9001).send(4);

			// THEN only those the filter matches were counted, as only they were traced
			assertThat(elsewhere).isEqualTo(4);
			assertThat(trace).drops().withReason(NO_SOCKET).hasCount(toTheFilter);
			assertThat(trace).counts().at("net_dev_queue").hasCount(toTheFilter);
			assertThat(trace).packets(udp().dstPort(9001)).areNone();
		}
	}

	/**
	 * Floods from left to right, to the closed port, until the trace lost events (the reader drains the
	 * 64-event ring buffer every 5 ms: a few thousand datagrams a second outrun it); how many went out.
	 */
	@Test
	void counts_stay_exact_when_more_namespaces_are_scoped_than_the_config_lists_and_fewer_again(
			VethNamespaces network) {
		List<VethNamespaces> others = new ArrayList<>();
		try (TraceWindow few = TraceWindow.open(session, Duration.ofSeconds(10))) {
			// GIVEN a window on one pair: its namespaces are listed in the config, counted in rows
			few.scope(network.leftPath()).scope(network.rightPath());
			send(network, 3);
			// WHEN a second window scopes four more pairs (ten namespaces: counted in the hash), then closes
			for (int i = 0; i < 4; i++) {
				others.add(VethNamespaces.create());
			}
			try (TraceWindow many = TraceWindow.open(session, Duration.ofSeconds(10))) {
				many.scope(network.leftPath()).scope(network.rightPath());
				for (VethNamespaces pair : others) {
					many.scope(pair.leftPath()).scope(pair.rightPath());
				}
				send(network, 3);
				send(others.getLast(), 3);
				assertThat(many).drops().withReason(NO_SOCKET).inNamespace(network.rightInode()).hasCount(3);
				assertThat(many).drops().withReason(NO_SOCKET).inNamespace(others.getLast().rightInode()).hasCount(3);
				assertThat(many).counts().at("net_dev_start_xmit").isAtLeast(6);
			}
			send(network, 3);
			// THEN the first window counted all nine datagrams, whichever way each was counted
			assertThat(few).drops().withReason(NO_SOCKET).hasCount(9);
			assertThat(few).counts().at("net_dev_start_xmit").isAtLeast(9);
			assertThat(few).counts().at("netif_receive_skb").isAtLeast(9);
			// every packet sent was received: the receive count reaches the send count (waiting, as an ICMP
			// error sent back may still be on its way into the sender's namespace)
			assertThat(few).counts().at("netif_receive_skb").hasCount(few.counts().at("net_dev_start_xmit"));
		} finally {
			others.forEach(VethNamespaces::close);
		}
	}

	private static void send(VethNamespaces pair, int datagrams) {
		assertThat(Traffic.fromNetnsPath(pair.leftPath()).udp().to(pair.rightAddress(), CLOSED_PORT).send(datagrams))
				.isEqualTo(datagrams);
	}

	@Test
	void a_tracer_built_without_counts_traces_every_packet_and_counts_none(VethNamespaces network) {
		// GIVEN the probe-cost benchmark's baseline: the same probes with the counting left out at load
		try (TraceSession uncounted = TraceSession.start(new TracerOptions(Backend.TRACEPOINT, null,
				TracerOptions.DEFAULT_RING_BUFFER_BYTES, 4L << 20, false).without(ProbePart.COUNTS));
				TraceWindow trace = TraceWindow.open(uncounted, Duration.ofSeconds(10))) {
			trace.scope(network.leftPath()).scope(network.rightPath());
			// WHEN a few datagrams go to the closed port
			assertThat(Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), CLOSED_PORT).send(5))
					.isEqualTo(5);
			// THEN their events came, and nothing was counted
			assertThat(trace).packets(udp().dstPort(CLOSED_PORT)).hasCount(5).wereDropped().withReason(NO_SOCKET);
			assertThat(trace.counts().byHook()).isEmpty();
			assertThat(trace.counts().drops()).isEmpty();
		}
	}

	@ParameterizedTest
	@EnumSource(value = ProbePart.class, names = { "PACKET_FIELDS", "EVENT_FIELDS" })
	void the_benchmarks_build_without_fields_counts_every_packet_and_its_events_carry_none_of_them(ProbePart part,
			VethNamespaces network) {
		TracerOptions options = benchmarkBuildWithout(part);
		if (!loadsTheBenchmarksBuild(options)) {
			return;
		}
		// GIVEN the probe-cost benchmark's build of the probes, told to leave out some of each event's fields
		try (TraceSession partial = TraceSession.start(options);
				TraceWindow trace = TraceWindow.open(partial, Duration.ofSeconds(10))) {
			trace.scope(network.leftPath()).scope(network.rightPath());
			// WHEN a few datagrams go to the closed port
			assertThat(Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), CLOSED_PORT).send(5))
					.isEqualTo(5);
			// THEN the counts have them all, events came from both namespaces, and none names the packet
			assertThat(trace).drops().withReason(NO_SOCKET).inNamespace(network.rightInode()).hasCount(5);
			trace.flush();
			List<PacketEvent> events = trace.events();
			assertThat(events).extracting(PacketEvent::netns).contains(network.leftInode(), network.rightInode());
			assertThat(events).extracting(PacketEvent::ifindex).containsOnly(0);
			if (part == ProbePart.EVENT_FIELDS) {
				assertThat(events).extracting(PacketEvent::timestampNanos).containsOnly(0L);
			} else {
				assertThat(events).extracting(PacketEvent::timestampNanos).doesNotContain(0L);
			}
		}
	}

	@Test
	void the_benchmarks_staged_build_counts_every_packet_and_writes_its_events_eight_to_a_record(
			VethNamespaces network) {
		TracerOptions options = benchmarkBuildWithout(ProbePart.EVENT_RECORDS);
		if (!loadsTheBenchmarksBuild(options)) {
			return;
		}
		// GIVEN the probe-cost benchmark's bound for batching: events staged per CPU, eight to a record
		try (TraceSession staged = TraceSession.start(options);
				TraceWindow trace = TraceWindow.open(staged, Duration.ofSeconds(10))) {
			trace.scope(network.leftPath()).scope(network.rightPath());
			// WHEN a few datagrams go to the closed port
			send(network, 8);
			// THEN the counts have them all, and the reader got one record (its first event, filled
			// in full) per eight events counted, never one per event
			assertThat(trace).drops().withReason(NO_SOCKET).inNamespace(network.rightInode()).hasCount(8);
			trace.flush();
			long counted = trace.counts().byHook().values().stream().mapToLong(Long::longValue).sum();
			List<PacketEvent> events = trace.events();
			assertThat(events).isNotEmpty().hasSizeLessThanOrEqualTo((int) (counted / 8));
			assertThat(events).extracting(PacketEvent::timestampNanos).doesNotContain(0L);
			assertThat(events).extracting(PacketEvent::netns).containsAnyOf(network.leftInode(), network.rightInode());
		}
	}

	private static TracerOptions benchmarkBuildWithout(ProbePart part) {
		return new TracerOptions(Backend.TRACEPOINT, null, TracerOptions.DEFAULT_RING_BUFFER_BYTES, 4L << 20, false)
				.without(part);
	}

	/**
	 * Whether the kernel loads the benchmark's build, which is the guarded probes': where it lacks
	 * the guard's kfuncs, checks instead that starting it is refused with the reason.
	 */
	private static boolean loadsTheBenchmarksBuild(TracerOptions options) {
		if (KernelFunctions.has("bpf_local_irq_save", "bpf_local_irq_restore")) {
			return true;
		}
		assertThatExceptionOfType(TracingUnavailableException.class).isThrownBy(() -> TraceSession.start(options))
				.withMessageContaining("kernel 6.14+");
		return false;
	}

	private static long floodUntilEventsAreLost(VethNamespaces network, TraceWindow trace) {
		long sent = 0;
		long deadline = System.nanoTime() + LOSS_DEADLINE.toNanos();
		do {
			sent += Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), CLOSED_PORT)
					.flood(FLOOD);
		} while (trace.lostEvents() == 0 && System.nanoTime() < deadline);
		assertThat(trace.lostEvents()).as("events the 8 KiB ring buffer lost of %d datagrams", sent).isPositive();
		return sent;
	}

	/** A short flood from left to right, to the closed port; how many datagrams went out. */
	private static long flood(VethNamespaces network) {
		return Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), CLOSED_PORT)
				.flood(Duration.ofMillis(300));
	}
}
