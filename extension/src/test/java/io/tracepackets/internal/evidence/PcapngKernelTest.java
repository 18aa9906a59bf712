package io.tracepackets.internal.evidence;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.KernelTest;
import io.tracepackets.internal.session.TraceSession;
import io.tracepackets.internal.session.TracerOptions;
import io.tracepackets.internal.window.TraceWindow;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real packets, captured by the probes, written as pcapng and read back by Wireshark's tshark. */
@KernelTest
public class PcapngKernelTest {

	@Test
	void should_write_real_packets_that_tshark_decodes_with_a_comment_per_event(@TempDir Path dir) throws Exception {
		Path file = dir.resolve("trace.pcapng");
		VethNamespaces veth = VethNamespaces.create();
		try (veth; TraceSession session = TraceSession.start(TracerOptions.defaults().withSnapLength(128));
				TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(3))) {
			trace.scope(veth.leftPath()).scope(veth.rightPath());
			// GIVEN 3 datagrams from the left namespace to port 7500 of the right one, where nothing listens
			Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), 7500).payload("evidence").send(3);
			assertThat(trace).packets(udp().dstPort(7500)).hasCount(3).wereDropped();

			// WHEN the trace is written as pcapng
			// (one snapshot: events keep arriving, IPv6 neighbour discovery among them)
			List<io.tracepackets.PacketEvent> events = trace.events();
			int written = Pcapng.write(file, events, trace.paths(), 100_000, Map.of(veth.rightInode(), "tp-right"));
			// every event but those that are no packet (no bytes, no IP header: a netlink message freed)
			assertThat(written).isEqualTo(events.stream().filter(e -> e.packetBytes().isPresent() || e.ipVersion() != 0).count());

			// THEN tshark reads every event back as a packet, decodes the datagrams, and shows the comments
			List<String> rows = tshark(file, "-T", "fields", "-E", "separator=|", "-e", "frame.interface_name",
					"-e", "ip.dst", "-e", "udp.dstport", "-e", "frame.comment");
			System.out.println(String.join("\n", rows));
			assertThat(rows).hasSize(written);
			List<String> datagrams = rows.stream().filter(r -> r.contains("|" + veth.rightAddress() + "|7500|")).toList();
			assertThat(datagrams).hasSizeGreaterThanOrEqualTo(3 * 4); // queue, xmit, rx, receive, drop at least
			assertThat(datagrams).anyMatch(r -> r.startsWith(veth.rightInterface() + "@" + veth.rightInode() + "|")
					&& r.contains("|netif_receive_skb (tracepoint) task ")
					&& r.contains("] netns " + veth.rightInode() + " (tp-right) dev "
							+ veth.rightInterface() + " skb " + r.substring(r.indexOf(" skb ") + 5, r.indexOf(" packet "))
							+ " packet " + r.substring(r.indexOf(" packet ") + 8)));
			assertThat(datagrams).filteredOn(r -> r.contains("|kfree_skb (tracepoint)")).hasSize(3)
					.allMatch(r -> r.contains(" drop NO_SOCKET (lost) at "));
			// the payload is in the packets: Wireshark sees the datagram's bytes
			List<String> payloads = tshark(file, "-Y", "udp.dstport == 7500 && !icmp && frame.comment contains \"netif_receive_skb\"",
					"-T", "fields", "-e", "data.data");
			assertThat(payloads).hasSize(3).allMatch(p -> p.equals(hex("evidence")));
		}
	}

	@Test
	void should_rebuild_headers_that_tshark_decodes_as_the_traced_tuple_when_no_bytes_were_captured(@TempDir Path dir)
			throws Exception {
		Path file = dir.resolve("trace.pcapng");
		VethNamespaces veth = VethNamespaces.create();
		try (veth; TraceSession session = TraceSession.start(TracerOptions.defaults());
				TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(3))) {
			trace.scope(veth.leftPath()).scope(veth.rightPath());
			// GIVEN the default options (no snap length: no packet bytes), UDP to nobody, TCP refused, and a ping
			Traffic.fromNetnsPath(veth.leftPath()).udp().to(veth.rightAddress(), 7501).send(2);
			Traffic.fromNetnsPath(veth.leftPath()).tcp().to(veth.rightAddress(), 7502).connect();
			veth.execInLeft("busybox", "ping", "-c", "1", "-W", "2", veth.rightAddress());
			assertThat(trace).packets(udp().dstPort(7501)).hasCount(2);
			List<io.tracepackets.PacketEvent> events = trace.events();
			assertThat(events).allMatch(e -> e.packetBytes().isEmpty());

			// WHEN written as pcapng
			int written = Pcapng.write(file, events, trace.paths(), 100_000, Map.of());

			// THEN every IP event is a frame tshark decodes with the event's addresses, protocol and ports;
			// those without an IP header (a netlink message freed in scope) are left out
			List<io.tracepackets.PacketEvent> packets = events.stream().filter(e -> e.ipVersion() != 0).toList();
			assertThat(written).isEqualTo(packets.size());
			// (the first occurrence of each field: an ICMP error quotes the IP header of what it answers)
			List<String> rows = tshark(file, "-T", "fields", "-E", "separator=|", "-E", "occurrence=f", "-e", "ip.src", "-e", "ipv6.src",
					"-e", "ip.dst", "-e", "ipv6.dst", "-e", "ip.proto", "-e", "ipv6.nxt", "-e", "udp.srcport",
					"-e", "tcp.srcport", "-e", "udp.dstport", "-e", "tcp.dstport", "-e", "icmp.type", "-e", "_ws.malformed");
			assertThat(rows).hasSize(written);
			// what a user opening the file sees, in the test's report
			tshark(file).stream().limit(20).forEach(System.out::println);
			for (int i = 0; i < written; i++) {
				io.tracepackets.PacketEvent event = packets.get(i);
				String[] f = (rows.get(i) + "|end").split("\\|", -1);
				String expected = String.join("|", event.source().getHostAddress(), event.destination().getHostAddress(),
						Integer.toString(event.l4Protocol()));
				String decoded = String.join("|", java.net.InetAddress.getByName(f[0] + f[1]).getHostAddress(),
						java.net.InetAddress.getByName(f[2] + f[3]).getHostAddress(), f[4] + f[5]);
				assertThat(decoded).as("frame %d of %s", i + 1, event).isEqualTo(expected);
				if (event.l4Protocol() == io.tracepackets.PacketEvent.UDP || event.l4Protocol() == io.tracepackets.PacketEvent.TCP) {
					assertThat(f[6] + f[7] + "|" + f[8] + f[9]).as("ports of frame %d", i + 1)
							.isEqualTo(event.sourcePort() + "|" + event.destinationPort());
				}
				assertThat(f[11]).as("frame %d malformed: %s", i + 1, rows.get(i)).isEmpty();
			}
			assertThat(rows).anyMatch(r -> r.contains("|7501|")).anyMatch(r -> r.contains("|7502|"));
			// and the comment says the headers were rebuilt
			assertThat(tshark(file, "-T", "fields", "-e", "frame.comment")).allMatch(c -> c.contains(
					"(headers rebuilt from the traced tuple: no packet bytes captured)") || c.contains("(no packet bytes)"));
		}
	}

	private static String hex(String text) {
		return java.util.HexFormat.of().formatHex(text.getBytes(StandardCharsets.US_ASCII));
	}

	/** tshark's output lines; fails with its error output when it fails. */
	public static List<String> tshark(Path file, String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString()));
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
		try {
			String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
			assertThat(process.exitValue()).as("tshark %s: %s", command, err).isZero();
			return out.lines().toList();
		} finally {
			// a process the test started ends with it, whatever the outcome
			process.destroyForcibly();
		}
	}
}
