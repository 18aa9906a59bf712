package io.tracepackets.internal.evidence;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.DropReason;
import io.tracepackets.Journey;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketPath;
import io.tracepackets.PacketTrace;
import io.tracepackets.PerTestNetwork;
import io.tracepackets.TracePackets;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real drops on reused skb addresses: datagrams sent one at a time, each dropped at once (no
 * socket), free their skb before the next is allocated, and the allocator hands the same address
 * (and often the same buffer, so the kernel's journey id) back. The API must count one journey per
 * datagram, each with a real id, and the evidence file must give each event its path's journey.
 */
@KernelTest
@ExtendWith(PerTestNetwork.class)
@TracePackets
class ReusedSkbAddressEvidenceTest {

	private static final int DATAGRAMS = 20;
	private static final Pattern JOURNEY = Pattern.compile("\"journey\":\"([0-9a-f]+)\"");

	@Test
	void each_datagram_on_a_reused_address_is_a_journey_of_its_own_in_the_api_and_the_evidence(PacketTrace trace, VethNamespaces network,
			@TempDir Path dir) throws IOException {
		// GIVEN the right namespace, where nothing listens, in scope
		trace.scope(network.rightPath());

		// WHEN the left namespace sends datagrams one at a time
		int sent = Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 9999)
				.interval(Duration.ofMillis(5)).send(DATAGRAMS);

		// THEN the kernel dropped each, and some of them reused an address
		assertThat(sent).isEqualTo(DATAGRAMS);
		assertThat(trace).packets(udp().dstPort(9999)).hasCount(DATAGRAMS).wereDropped().withReason(DropReason.NO_SOCKET);
		List<PacketPath> paths = trace.packets(udp().dstPort(9999));
		Map<Long, Long> pathsPerAddress = paths.stream()
				.collect(Collectors.groupingBy(PacketPath::skb, Collectors.counting()));
		assertThat(pathsPerAddress.values()).as("paths per skb address (the test needs the allocator to reuse one;"
				+ " sent one at a time, each freed before the next, it does)").anySatisfy(n -> assertThat(n).isGreaterThan(1));

		// AND each is one journey with an id of its own
		assertThat(trace).journeys(udp().dstPort(9999)).hasCount(DATAGRAMS);
		Set<Long> ids = paths.stream().map(PacketPath::journey).collect(Collectors.toSet());
		assertThat(ids).hasSize(DATAGRAMS).doesNotContain(0L, -1L);
		assertThat(trace.journeys()).filteredOn(journey -> udp().dstPort(9999).matches(journey))
				.extracting(Journey::id).containsExactlyInAnyOrderElementsOf(ids);

		// AND the evidence gives every event of a path that path's journey
		List<PacketEvent> events = trace.events();
		Path jsonl = dir.resolve("trace.jsonl");
		JsonLines.write(jsonl, events, trace.paths(), events.size(), Map.of());
		List<String> lines = Files.readAllLines(jsonl);
		Set<String> inFile = new HashSet<>();
		for (PacketPath path : paths) {
			for (PacketEvent event : path.events()) {
				String line = lines.get(1 + events.indexOf(event));
				Matcher journey = JOURNEY.matcher(line);
				assertThat(journey.find()).as("journey of %s", line).isTrue();
				assertThat(journey.group(1)).as("%s", line).isEqualTo(Long.toHexString(path.journey()));
				inFile.add(journey.group(1));
			}
		}
		assertThat(inFile).hasSize(DATAGRAMS);
	}
}
