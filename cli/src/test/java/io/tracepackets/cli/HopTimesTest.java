package io.tracepackets.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.DropReason;
import io.tracepackets.PacketEvents;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class HopTimesTest {

	private static final PacketEvents DATAGRAM = PacketEvents.udp("10.0.0.1", 40000, "10.0.0.2", 7000);

	@Test
	void should_count_the_hop_from_the_packets_previous_event_by_journey() {
		HopTimes hops = new HopTimes();
		PacketEvents packet = DATAGRAM.journey(0x51L);

		assertThat(hops.previous(packet.at(1_000, "net_dev_queue"))).as("a packet's first event").isEmpty();
		assertThat(hops.previous(packet.skb(0xffff1L).at(1_700, "netif_rx")))
				.as("the next one, a copy of it in another skb").hasValue(1_000);
		assertThat(hops.previous(DATAGRAM.journey(0x52L).at(1_800, "net_dev_queue"))).as("another packet's first")
				.isEmpty();
	}

	@Test
	void should_follow_a_packet_without_journey_by_its_skb_until_it_is_freed() {
		HopTimes hops = new HopTimes();
		PacketEvents packet = DATAGRAM.journey(0).skb(0xffff888000001000L);

		hops.previous(packet.at(100, "netif_rx"));
		assertThat(hops.previous(packet.dropped(300, DropReason.NO_SOCKET, "__udp4_lib_rcv+0x4bc"))).hasValue(100);
		assertThat(hops.previous(packet.at(900, "net_dev_queue"))).as("the skb reused for another packet").isEmpty();
	}

	@Test
	void should_stay_in_its_fixed_slots_through_a_flood_of_packets() {
		// GIVEN far more packets than slots, each with two events
		HopTimes hops = new HopTimes();
		int answered = 0;
		for (long journey = 1; journey <= 4L * HopTimes.SLOTS; journey++) {
			PacketEvents packet = DATAGRAM.journey(journey);
			hops.previous(packet.at(journey * 10, "net_dev_queue"));
			OptionalLong previous = hops.previous(packet.at(journey * 10 + 5, "net_dev_start_xmit"));
			// THEN each packet's second event finds its first, just stored
			if (previous.isPresent() && previous.getAsLong() == journey * 10) {
				answered++;
			}
		}
		assertThat(answered).isEqualTo(4 * HopTimes.SLOTS);
	}
}
