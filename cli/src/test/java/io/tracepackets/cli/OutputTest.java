package io.tracepackets.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.PacketEvent;
import io.tracepackets.PacketEvents;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputTest {

	private static final long START = 1_000_000_000L;

	private static List<String> text(PacketEvent... events) throws Exception {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (Output output = Output.open(CliOptions.parse(new String[0]), bytes, START)) {
			for (PacketEvent event : events) {
				output.write(event);
			}
		}
		return bytes.toString(StandardCharsets.UTF_8).lines().toList();
	}

	/** The TIME and HOP columns of a line. */
	private static String times(String line) {
		return line.substring(0, 22).stripTrailing();
	}

	@Test
	void should_show_each_events_hop_from_its_packets_previous_line_as_packets_interleave() throws Exception {
		// GIVEN two datagrams whose events interleave, the first crossing into another namespace
		PacketEvents first = PacketEvents.udp("10.0.0.1", 40000, "10.0.0.2", 7000).journey(11);
		PacketEvents second = PacketEvents.udp("10.0.0.1", 40001, "10.0.0.2", 7000).journey(12)
				.skb(0xffff888004a3d000L);

		// WHEN
		List<String> lines = text(first.at(START + 1_000_000, "net_dev_queue"),
				second.at(START + 1_500_000, "net_dev_queue"),
				first.at(START + 42_000_000, "net_dev_start_xmit"),
				first.netns(4026532999L).at(START + 42_010_000, "netif_rx"),
				second.at(START + 83_500_000, "net_dev_start_xmit"));

		// THEN
		assertThat(lines.getFirst()).startsWith("TIME        HOP        SKB");
		assertThat(lines.subList(1, lines.size())).extracting(OutputTest::times).containsExactly(
				"+1.000ms    -", "+1.500ms    -", "+42.000ms   +41.000ms", "+42.010ms   +0.010ms",
				"+83.500ms   +82.000ms");
	}

	@Test
	void should_start_over_when_a_freed_skb_address_carries_another_packet() throws Exception {
		// GIVEN no journey ids (a kernel without them): the skb address alone tells packets apart
		PacketEvents packet = PacketEvents.udp("10.0.0.1", 40000, "10.0.0.2", 7000);

		// WHEN the address is freed, then reused
		List<String> lines = text(packet.at(START + 1_000_000, "netif_receive_skb"), packet.consumed(START + 1_200_000),
				packet.at(START + 9_000_000, "netif_receive_skb"));

		// THEN
		assertThat(lines.subList(1, lines.size())).extracting(OutputTest::times)
				.containsExactly("+1.000ms    -", "+1.200ms    +0.200ms", "+9.000ms    -");
	}
}
