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
			int written = Pcapng.write(file, events, trace.paths(), 100_000);
			assertThat(written).isEqualTo(events.size());

			// THEN tshark reads every event back as a packet, decodes the datagrams, and shows the comments
			List<String> rows = tshark(file, "-T", "fields", "-E", "separator=|", "-e", "frame.interface_name",
					"-e", "ip.dst", "-e", "udp.dstport", "-e", "frame.comment");
			System.out.println(String.join("\n", rows));
			assertThat(rows).hasSize(written);
			List<String> datagrams = rows.stream().filter(r -> r.contains("|" + veth.rightAddress() + "|7500|")).toList();
			assertThat(datagrams).hasSizeGreaterThanOrEqualTo(3 * 4); // queue, xmit, rx, receive, drop at least
			assertThat(datagrams).anyMatch(r -> r.startsWith(veth.rightInterface() + "@" + veth.rightInode() + "|")
					&& r.endsWith("|netif_receive_skb (tracepoint) netns " + veth.rightInode() + " dev "
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
