package io.tracepackets.samples.vm;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.tracepackets.Backend;
import io.tracepackets.DropKind;
import io.tracepackets.DropReason;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketFilter;
import io.tracepackets.PacketPath;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.assertj.error.PwruFormat;
import io.tracepackets.samples.support.VethNamespacesPerTest;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a drop means on every kernel of the suite, and above all on one without drop reasons
 * (Debian 11's 5.10; reasons came with 5.17): there every drop is {@code NOT_SPECIFIED}, and its
 * kind comes from where the skb was freed (drop-locations.tsv), else from the reason's fallback
 * (lost). Each test asserts what the kernel gives: reasons where it has them, locations where it
 * has none, and there {@code withReason(...)} must refuse with the reason (the extension skips the
 * test, or fails it in strict mode) instead of answering. Drops come from the kfree_skb
 * tracepoint, whatever the backend, so the tracepoint backend keeps the class cheap.
 */
@KernelTest
@Tag(VethFunctionPathTest.TAG)
@TracePackets(backend = Backend.TRACEPOINT)
@ExtendWith(VethNamespacesPerTest.class)
class DropLocationsVmTest {

	VethNamespaces network;

	@Test
	void a_netfilter_drop_is_lost_in_nf_hook_slow(PacketTrace trace) {
		// GIVEN an iptables-nft DROP rule in the receiving namespace
		network.execInRight("iptables-nft", "-A", "INPUT", "-p", "udp", "--dport", "7101", "-j", "DROP");
		trace.scope(network.leftPath()).scope(network.rightPath());

		// WHEN
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 7101).send(2);

		// THEN lost in netfilter, whether or not the kernel says why
		var drops = assertThat(trace).packets(udp().dstPort(7101)).hasCount(2).wereDropped().in("nf_hook_slow");
		if (hasDropReasons(trace)) {
			drops.withReason(DropReason.NETFILTER_DROP);
		} else {
			// nf_hook_slow is in no location rule: NOT_SPECIFIED's own fallback says lost
			assertTwoLostWithoutAReason(trace, 7101);
			assertReasonsUnavailable(() -> drops.withReason(DropReason.NETFILTER_DROP));
		}
	}

	@Test
	void a_datagram_to_a_port_without_a_socket_is_lost_in_udp(PacketTrace trace) {
		// GIVEN no socket on UDP 7102 in the receiving namespace
		trace.scope(network.leftPath()).scope(network.rightPath());

		// WHEN
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 7102).send(2);

		// THEN lost where UDP looked for a socket
		String udpReceive = udpReceiveFunction();
		var drops = assertThat(trace).packets(udp().dstPort(7102)).hasCount(2).wereDropped().in(udpReceive);
		if (hasDropReasons(trace)) {
			drops.withReason(DropReason.NO_SOCKET);
		} else {
			assertThat(assertTwoLostWithoutAReason(trace, 7102))
					.allSatisfy(drop -> assertThat(drop.location()).startsWith(udpReceive + "+"));
			assertReasonsUnavailable(() -> drops.withReason(DropReason.NO_SOCKET));
		}
	}

	@Test
	void data_a_connection_never_read_is_discarded_after_delivery_when_it_is_torn_down(PacketTrace trace)
			throws Exception {
		// GIVEN a TCP server in the right namespace that accepts and never reads, and a client in the
		// left one. (UDP would not do: a UDP socket's queue is purged in an RCU callback, on no task
		// of the namespace, and a queued datagram has neither device nor socket to tell its netns.)
		trace.scope(network.leftPath()).scope(network.rightPath());
		Process server = python(network.rightName(), SERVER);
		Process client = null;
		try {
			BufferedReader serverOut = lines(server);
			assertThat(serverOut.readLine()).as("the server's start").isEqualTo("listening");
			client = python(network.leftName(), CLIENT.replace("ADDRESS", network.rightAddress()));
			assertThat(lines(client).readLine()).as("the client's send").isEqualTo("sent");
			assertThat(serverOut.readLine()).as("the server's accept").isEqualTo("accepted");

			// WHEN the data waits unread and the server tears the connection down (connect(AF_UNSPEC))
			awaitQueued(7103);
			server.getOutputStream().write('\n');
			server.getOutputStream().flush();
			assertThat(serverOut.readLine()).as("the server's disconnect").isEqualTo("disconnected");
		} finally {
			server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
			if (client != null) {
				client.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
			}
		}

		// THEN nothing the client sent was lost; the unread data was freed after delivery, which on a
		// kernel without reasons the place of the free says (drop-locations.tsv: tcp_disconnect)
		assertThat(trace).packets(tcp().dstPort(7103)).wereNotDropped();
		List<PacketEvent> freed = dropsOf(trace, tcp().dstPort(7103));
		assertThat(freed).as(PwruFormat.render(trace, trace.packets(tcp().dstPort(7103)))).isNotEmpty().allSatisfy(drop -> {
			assertThat(drop.dropKind()).isEqualTo(DropKind.DISCARDED_AFTER_DELIVERY);
			if (!hasDropReasons(trace)) {
				assertThat(drop.dropReason()).isEqualTo(DropReason.NOT_SPECIFIED);
				assertThat(drop.location()).startsWith("tcp_disconnect+");
				assertThat(drop.dropKindExplanation()).as("from the location rules").contains("torn down");
			}
		});
	}

	/** Accepts one connection on 7103, then waits for a line and disconnects it with its data unread. */
	private static final String SERVER = """
			import ctypes, socket, sys, time
			s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
			s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
			s.bind(('0.0.0.0', 7103))
			s.listen(1)
			print('listening', flush=True)
			c, _ = s.accept()
			print('accepted', flush=True)
			sys.stdin.readline()
			unspec = (ctypes.c_ubyte * 16)()
			libc = ctypes.CDLL(None, use_errno=True)
			if libc.connect(c.fileno(), unspec, 16) != 0:
			    sys.exit('connect(AF_UNSPEC): errno %d' % ctypes.get_errno())
			print('disconnected', flush=True)
			time.sleep(120)
			""";

	/** Connects to the server and sends three writes, then waits. */
	private static final String CLIENT = """
			import socket, time
			c = socket.create_connection(('ADDRESS', 7103))
			for i in range(3):
			    c.sendall(b'unread %d ' % i)
			    time.sleep(0.05)
			print('sent', flush=True)
			time.sleep(120)
			""";

	private static Process python(String namespace, String program) throws java.io.IOException {
		return new ProcessBuilder("ip", "netns", "exec", namespace, "python3", "-c", program)
				.redirectError(ProcessBuilder.Redirect.INHERIT).start();
	}

	private static BufferedReader lines(Process process) {
		return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
	}

	/** Whether this kernel names drop reasons (enum skb_drop_reason, 5.17+). */
	/**
	 * Where IPv4 UDP looks for a socket: {@code __udp4_lib_rcv} up to 6.x; 7.0 removed UDP-Lite
	 * and, with it, the shared helper, so the lookup is in {@code udp_rcv} itself.
	 */
	private static String udpReceiveFunction() {
		try (var lines = Files.lines(Path.of("/proc/kallsyms"))) {
			return lines.anyMatch(line -> line.matches("\\S+ [tT] __udp4_lib_rcv(\\s.*)?")) ? "__udp4_lib_rcv"
					: "udp_rcv";
		} catch (IOException e) {
			throw new UncheckedIOException("cannot read /proc/kallsyms", e);
		}
	}

	private static boolean hasDropReasons(PacketTrace trace) {
		return !trace.probes().dropReasons().isEmpty();
	}

	/** The drop events of the paths {@code filter} matches. */
	private static List<PacketEvent> dropsOf(PacketTrace trace, PacketFilter filter) {
		return trace.packets(filter).stream().map(PacketPath::drop).flatMap(java.util.Optional::stream).toList();
	}

	/**
	 * On a kernel without reasons: the two drops of the datagrams to UDP {@code port} are both
	 * NOT_SPECIFIED and counted as lost; returns them for what else a test asserts of them.
	 */
	private static List<PacketEvent> assertTwoLostWithoutAReason(PacketTrace trace, int port) {
		List<PacketEvent> drops = dropsOf(trace, udp().dstPort(port));
		assertThat(drops).hasSize(2).allSatisfy(drop -> {
			assertThat(drop.dropReason()).isEqualTo(DropReason.NOT_SPECIFIED);
			assertThat(drop.dropKind()).isEqualTo(DropKind.LOST);
		});
		return drops;
	}

	/** withReason refuses on a kernel without reasons, naming why: what the extension skips (fails) with. */
	private static void assertReasonsUnavailable(Runnable withReason) {
		assertThatExceptionOfType(TracingUnavailableException.class).isThrownBy(withReason::run)
				.satisfies(e -> assertThat(e.reason()).contains("this kernel has no drop reasons")
						.contains("Linux 5.17"));
	}

	/** Waits until the right namespace's connection on TCP {@code port} holds unread data. */
	private void awaitQueued(int port) throws InterruptedException {
		long deadline = System.nanoTime() + 10_000_000_000L;
		while (true) {
			for (String socket : network.execInRight("ss", "-tn").lines().toList()) {
				String[] fields = socket.trim().split("\\s+");
				if (fields.length > 4 && fields[0].equals("ESTAB") && fields[3].endsWith(":" + port)
						&& !fields[1].equals("0")) {
					return;
				}
			}
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("no data waited on TCP " + port + " in " + network.rightName()
						+ ": " + network.execInRight("ss", "-tn"));
			}
			Thread.sleep(20);
		}
	}
}
