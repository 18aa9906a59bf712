package io.tracepackets.internal.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.PacketEvent;
import io.tracepackets.PacketEvents;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rebuilt headers as Wireshark reads them: every message the kernel sends of its own accord
 * (neighbour discovery, MLD, errors, echo) decodes with its type, and none is malformed.
 */
class RebuiltHeadersTest {

	@Test
	void should_rebuild_icmp_messages_that_tshark_decodes_whole(@TempDir Path dir) throws Exception {
		// GIVEN events without bytes for ICMPv6's neighbour discovery, MLD, errors and echo, and ICMP's
		Map<Integer, String> v6 = Map.ofEntries(Map.entry(1, "Destination Unreachable"), Map.entry(128, "Echo (ping) request"),
				Map.entry(130, "Multicast Listener Query"), Map.entry(131, "Multicast Listener Report"),
				Map.entry(132, "Multicast Listener Done"), Map.entry(133, "Router Solicitation"),
				Map.entry(134, "Router Advertisement"), Map.entry(135, "Neighbor Solicitation"),
				Map.entry(136, "Neighbor Advertisement"), Map.entry(137, "Redirect"),
				Map.entry(143, "Multicast Listener Report Message v2"));
		List<Integer> types = v6.keySet().stream().sorted().toList();
		List<PacketEvent> events = new java.util.ArrayList<>();
		for (int i = 0; i < types.size(); i++) {
			events.add(PacketEvents.icmp("fe80::1", "ff02::1", types.get(i), 0).at(1_000L * i, "net_dev_queue"));
		}
		events.add(PacketEvents.icmp("10.0.0.1", "10.0.0.2", 3, 3).at(100_000, "net_dev_queue"));
		events.add(PacketEvents.icmp("10.0.0.1", "10.0.0.2", 8, 0).at(100_001, "net_dev_queue"));
		Path file = dir.resolve("icmp.pcapng");

		// WHEN written as pcapng
		int written = Pcapng.write(file, events, List.of(), 1_000, Map.of());

		// THEN tshark reads every frame with its type, none malformed
		assertThat(written).isEqualTo(events.size());
		List<String> rows = PcapngKernelTest.tshark(file, "-T", "fields", "-E", "separator=|", "-e", "icmpv6.type",
				"-e", "icmp.type", "-e", "_ws.malformed", "-e", "_ws.expert.message");
		assertThat(rows).hasSize(events.size());
		for (int i = 0; i < types.size(); i++) {
			assertThat(rows.get(i)).as("ICMPv6 type %d (%s)", types.get(i), v6.get(types.get(i)))
					.startsWith(types.get(i) + "||").doesNotContain("Malformed");
		}
		assertThat(rows.get(types.size())).as("ICMP port unreachable").startsWith("|3||").doesNotContain("Malformed");
		assertThat(rows.get(types.size() + 1)).as("ICMP echo request").startsWith("|8||").doesNotContain("Malformed");
		assertThat(PcapngKernelTest.tshark(file)).noneMatch(line -> line.contains("Malformed"));
	}
}
