package io.tracepackets.assertj;

import static io.tracepackets.assertj.error.TraceShould.shouldNotHaveLostEvents;

import io.tracepackets.PacketFilter;
import io.tracepackets.PacketTrace;
import org.assertj.core.api.AbstractAssert;

/** Assertions on a whole {@link PacketTrace}. */
public class PacketTraceAssert extends AbstractAssert<PacketTraceAssert, PacketTrace> {

	/**
	 * Assertions on {@code actual}; {@link TracePacketsAssertions#assertThat(PacketTrace)} reads better.
	 *
	 * @param actual the trace that {@code @TracePackets} injected; null fails the first assertion
	 */
	public PacketTraceAssert(PacketTrace actual) {
		super(actual, PacketTraceAssert.class);
	}

	/**
	 * Narrows to the packets matching {@code filter}: {@code packets(udp().dstPort(9000))}.
	 *
	 * @param filter which packets the next assertions are about
	 * @return assertions on those packets, e.g. {@code .wereDropped()}
	 */
	public PacketsAssert packets(PacketFilter filter) {
		isNotNull();
		return new PacketsAssert(actual, filter);
	}

	/**
	 * Narrows to the journeys with a packet matching {@code filter}, as it was at any point of its
	 * journey: {@code journeys(udp().dst("10.10.20.99").dstPort(7600))} finds the packets sent
	 * there after DNAT sent them elsewhere.
	 *
	 * @param filter which journeys the next assertions are about
	 * @return assertions on those journeys, e.g. {@code .theOnlyJourney().wasTranslatedTo(...)}
	 */
	public JourneysAssert journeys(PacketFilter filter) {
		isNotNull();
		return new JourneysAssert(actual, filter);
	}

	/**
	 * Every packet in scope.
	 *
	 * @return assertions on every packet, e.g. {@code allPackets().wereNotDropped()}
	 */
	public PacketsAssert allPackets() {
		return packets(PacketFilter.anyPacket());
	}

	/**
	 * The kernel's exact counts: events per probe point and drops per reason and location, counted
	 * before the ring buffer, so they hold when the trace lost events (a load test's answers).
	 *
	 * @return assertions on the counts, e.g. {@code counts().at("net_dev_queue").hasCount(n)}
	 */
	public KernelCountsAssert counts() {
		isNotNull();
		return new KernelCountsAssert(actual);
	}

	/**
	 * The kernel's exact count of drops in scope, whatever the trace lost:
	 * {@code drops().withReason(NO_SOCKET).hasCount(n)}. Short for {@code counts().drops()}.
	 *
	 * @return assertions on the count, to narrow with {@code withReason}, {@code atLocation}, {@code ofKind}
	 */
	public DropCountsAssert drops() {
		return counts().drops();
	}

	/**
	 * Flushes, then checks that the kernel and the store kept every event.
	 *
	 * @return this assertion, for chaining
	 */
	public PacketTraceAssert hasNoLostEvents() {
		isNotNull();
		actual.flush();
		if (actual.lostEvents() > 0) {
			throwAssertionError(shouldNotHaveLostEvents(actual));
		}
		return myself;
	}
}
