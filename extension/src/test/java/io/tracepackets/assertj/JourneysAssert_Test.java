package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.BDDAssertions.then;

import io.tracepackets.PacketEvent;
import io.tracepackets.PacketEvents;
import java.util.List;
import org.junit.jupiter.api.Test;

class JourneysAssert_Test {

	private static final long START = FakePacketTrace.START;
	private static final long NETNS = PacketEvents.NETNS;
	/** Seen by the tracepoints after OUTPUT's DNAT from 10.10.20.99:7600, as conntrack recorded it. */
	private static final PacketEvents DNATED = PacketEvents.udp("10.231.0.1", 51470, "10.231.0.2", 7600)
			.iface(2, "veth0").journey(0x5f3a9c2e1b47d680L).translatedFrom("10.231.0.1", 51470, "10.10.20.99", 7600);

	private static List<PacketEvent> dnated() {
		return List.of(DNATED.at(START + 1_000_000, "net_dev_queue"), DNATED.at(START + 1_100_000, "net_dev_start_xmit"),
				DNATED.at(START + 1_200_000, "netif_receive_skb"));
	}

	@Test
	void should_find_the_journey_by_the_address_it_was_sent_to_and_pass_its_translation() {
		// GIVEN
		FakePacketTrace trace = new FakePacketTrace(dnated()).withNetns(NETNS, "left");

		// WHEN / THEN
		assertThatCode(() -> assertThat(trace).journeys(udp().dst("10.10.20.99").dstPort(7600)).theOnlyJourney()
				.wasTranslatedTo("10.231.0.2", 7600).reached("netif_receive_skb")).doesNotThrowAnyException();
	}

	@Test
	void should_fail_with_the_translation_it_saw_and_what_the_backend_follows() {
		// GIVEN
		FakePacketTrace trace = new FakePacketTrace(dnated()).withNetns(NETNS, "left");

		// WHEN
		Throwable error = catchThrowable(() -> assertThat(trace).journeys(udp().dst("10.10.20.99"))
				.theOnlyJourney().wasTranslatedTo("10.231.0.3", 7600));

		// THEN
		then(error).isInstanceOf(AssertionError.class).hasMessage("""

				Expecting the journey to be translated to:
				  10.231.0.3:7600
				but its tuple changed: 10.10.20.99:7600 → 10.231.0.2:7600 before net_dev_queue:
				  TIME        HOP        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
				  +1.000ms    -          0xffff888004a3c000 0   [swapper/0]        4026532001  veth0(2)       60    10.231.0.1:51470 > 10.231.0.2:7600 udp         net_dev_queue
				  +1.100ms    +0.100ms   0xffff888004a3c000 0   [swapper/0]        4026532001  veth0(2)       60    10.231.0.1:51470 > 10.231.0.2:7600 udp         net_dev_start_xmit
				  +1.200ms    +0.100ms   0xffff888004a3c000 0   [swapper/0]        4026532001  veth0(2)       60    10.231.0.1:51470 > 10.231.0.2:7600 udp         netif_receive_skb
				  ↳ 10.10.20.99:7600 → 10.231.0.2:7600 before net_dev_queue
				  netns 4026532001 = left

				Traced 1 journeys in netns left with the tracepoint backend (kprobes are disabled in this test). \
				A journey follows one skb across NAT and namespace crossings (veth, containers); a clone or copy \
				(packet sockets, a second receiver) starts a journey of its own, and tracepoints see a locally \
				sent packet only after OUTPUT's NAT (the tuple before it comes from conntrack).""");
	}

	@Test
	void should_fail_counting_journeys_with_their_rendering() {
		// GIVEN
		FakePacketTrace trace = new FakePacketTrace(dnated()).withNetns(NETNS, "left");

		// WHEN
		Throwable error = catchThrowable(() -> assertThat(trace).journeys(udp().dst("10.10.20.99")).hasCount(2));

		// THEN
		then(error).isInstanceOf(AssertionError.class).hasMessageContaining("""
				Expecting exactly 2 journeys with a packet matching:
				  udp and dst host 10.10.20.99
				but found 1:""").hasMessageContaining("↳ 10.10.20.99:7600 → 10.231.0.2:7600 before net_dev_queue");
	}
}
