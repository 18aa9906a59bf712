package io.tracepackets.samples.vm;

import static io.tracepackets.DropReason.NETFILTER_DROP;
import static io.tracepackets.DropReason.NO_SOCKET;
import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.PacketFilter.udp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;

import io.tracepackets.Journey;
import io.tracepackets.PacketTrace;
import io.tracepackets.KernelTest;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.assertj.error.PwruFormat;
import io.tracepackets.samples.support.VethNamespacesPerTest;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.ExchangeResult;
import io.tracepackets.traffic.Traffic;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIf;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * pwru's view, asserted: UDP from one namespace to another over veth, followed through kernel
 * functions. Subclasses pick the backend; the suite runs in the kernel VM (tag {@value #TAG}),
 * since this host's kernel has neither kprobes nor fentry.
 */
@KernelTest
@Tag(VethFunctionPathTest.TAG)
@ExtendWith(VethNamespacesPerTest.class)
abstract class VethFunctionPathTest {

	static final String TAG = "kernel-vm";
	/**
	 * The functions these tests assert on, plus the receive path up to the socket's queue (which
	 * shows a multicast clone delivered on kernels without the socket_receive hook); a narrow set
	 * attaches fast.
	 */
	static final String FUNCTIONS = "^(ip_output|ip_finish_output2?|__dev_queue_xmit|dev_hard_start_xmit|veth_xmit|skb_clone"
			+ "|__netif_receive_skb_core|ip_rcv|ip_rcv_finish|ip_local_deliver|nf_hook_slow|udp_rcv|__udp4_lib_rcv"
			+ "|__udp_enqueue_schedule_skb)$";

	/**
	 * How long a helper process may take to listen or to read: the suite runs under emulation with
	 * up to ~1,900 functions probed, two VMs sharing a CI runner's cores, where starting a process
	 * takes seconds. Each wait ends as soon as its condition holds.
	 */
	private static final int EMULATED_WAIT_SECONDS = 120;

	VethNamespaces network;

	@EnabledIf("io.tracepackets.samples.vm.ModuleBtf#veth")
	// vethPath {
	@Test
	void a_datagram_to_the_other_namespace_passes_through_ip_output_then_the_veth(PacketTrace trace) {
		// GIVEN both namespaces in scope
		trace.scope(network.leftPath()).scope(network.rightPath());

		// WHEN the left namespace sends to the right one
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 7000).send(3);

		// THEN
		assertThat(trace).packets(udp().dstPort(7000))
				.hasCount(3)
				.reached("ip_output")
				.passedThrough("ip_output", "__dev_queue_xmit", "veth_xmit");
	}
	// }

	@DisabledIf("io.tracepackets.samples.vm.ModuleBtf#veth")
	@Test
	void where_modules_have_no_btf_the_path_shows_vmlinux_and_the_veth_says_why_not(PacketTrace trace) {
		// GIVEN both namespaces in scope, on a kernel without BTF for modules (before 5.11)
		trace.scope(network.leftPath()).scope(network.rightPath());

		// WHEN the left namespace sends to the right one
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 7000).send(3);

		// THEN the path up to the driver is seen, and the veth driver's function is refused with why
		assertThat(trace).packets(udp().dstPort(7000))
				.hasCount(3)
				.passedThrough("ip_output", "__dev_queue_xmit", "dev_hard_start_xmit");
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(7000)).passedThrough("ip_output", "veth_xmit"))
				.satisfies(e -> assertThat(e.reason()).contains("module veth").contains("no BTF"));
	}

	@Test
	void the_kernel_counts_the_datagrams_at_each_probed_function_and_their_drops_by_location(PacketTrace trace) {
		// GIVEN both namespaces in scope
		trace.scope(network.leftPath()).scope(network.rightPath());

		// WHEN the left namespace sends five datagrams to a port nobody listens on in the right one
		int sent = Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 7002).send(5);

		// THEN the probes counted them at each function, by its name, and their drops: by reason, or
		// before 5.17, which has none, where UDP freed them (__udp4_lib_rcv there; 7.x inlines it)
		assertThat(trace).counts().at("ip_output").isAtLeast(sent);
		assertThat(trace).counts().at("ip_rcv").isAtLeast(sent);
		var drops = assertThat(trace).drops().inNamespace(network.rightInode());
		(trace.probes().dropReasons().isEmpty() ? drops.atLocation("__udp4_lib_rcv") : drops.withReason(NO_SOCKET))
				.hasCount(sent);
	}

	@Test
	void an_iptables_legacy_drop_stops_the_datagram_before_udp_rcv(PacketTrace trace) {
		// GIVEN a DROP rule in the receiving namespace
		network.execInRight("iptables-legacy", "-A", "INPUT", "-p", "udp", "--dport", "7001", "-j", "DROP");
		trace.scope(network.leftPath()).scope(network.rightPath());

		// WHEN
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 7001).send(2);

		// THEN
		var drops = assertThat(trace).packets(udp().dstPort(7001))
				.hasCount(2)
				.wereDropped().in("nf_hook_slow");
		if (trace.probes().dropReasons().isEmpty()) {
			// before 5.17 no drop has a reason: asking for one is refused, with why (DropLocationsVmTest)
			assertThatExceptionOfType(TracingUnavailableException.class)
					.isThrownBy(() -> drops.withReason(NETFILTER_DROP));
		} else {
			drops.withReason(NETFILTER_DROP);
		}
		assertThat(trace).packets(udp().dstPort(7001)).reached("ip_rcv").neverReached("udp_rcv");
	}

	@Test
	void a_tcp_echo_exchange_between_namespaces_loses_nothing(PacketTrace trace) throws Exception {
		// GIVEN a TCP echo server in the right namespace, both namespaces in scope
		Process echo = startEchoServer(9002);
		try {
			trace.scope(network.leftPath()).scope(network.rightPath());

			// WHEN the left namespace connects, sends and reads the echo, then closes
			ExchangeResult result = Traffic.fromNetnsPath(network.leftPath()).tcp().to(network.rightAddress(), 9002)
					.connectAndSend("hello, kernel");

			// THEN the whole connection, teardown included, was delivered: a FIN that a closed
			// socket purges, or that TIME_WAIT answers, is discarded after delivery, not dropped
			assertThat(result.receivedText()).as("%s", result).isEqualTo("hello, kernel");
			assertThat(trace).packets(tcp().port(9002)).wereNotDropped().wereDelivered();
		} finally {
			echo.destroyForcibly().waitFor();
		}
	}

	// dnatJourneyVm {
	@Test
	void datagrams_sent_to_a_dnat_address_are_found_by_it_and_followed_to_the_veth(PacketTrace trace) {
		// GIVEN an OUTPUT DNAT rule in the left namespace from 10.10.20.99:7600 to the right one
		network.execInLeft("ip", "route", "add", "10.10.20.99", "dev", network.leftInterface());
		network.execInLeft("iptables-legacy", "-t", "nat", "-A", "OUTPUT", "-d", "10.10.20.99", "-p", "udp",
				"--dport", "7600", "-j", "DNAT", "--to-destination", network.rightAddress());
		trace.scope(network.leftPath()).scope(network.rightPath());

		// WHEN the left namespace sends three datagrams to 10.10.20.99:7600
		Traffic.fromNetnsPath(network.leftPath()).udp().to("10.10.20.99", 7600).send(3);

		// THEN found by the address they were sent to, each one journey through the veth
		assertThat(trace).packets(udp().dst("10.10.20.99").dstPort(7600))
				.hasCount(3)
				.passedThrough("nf_hook_slow", "ip_output", ModuleBtf.veth() ? "veth_xmit" : "dev_hard_start_xmit");
		assertThat(trace).journeys(udp().dst("10.10.20.99").dstPort(7600)).hasCount(3);
		for (Journey journey : trace.journeys()) {
			if (udp().dstPort(7600).matches(journey)) {
				assertThat(journey.translations()).singleElement()
						.satisfies(change -> assertThat(change.toString()).startsWith("10.10.20.99:7600 → "
								+ network.rightAddress() + ":7600 at "));
			}
		}
		System.out.println(PwruFormat.render(trace, trace.packets(udp().dst("10.10.20.99").dstPort(7600))));
	}
	// }

	@Test
	void a_multicast_to_two_receivers_is_one_journey_with_the_clone_the_stack_made(PacketTrace trace)
			throws Exception {
		// GIVEN two sockets in the right namespace on UDP 7700, in group 239.1.1.1, both namespaces in scope
		Process first = startReceiver(7700);
		Process second = null;
		try {
			second = startReceiver(7700);
			awaitListeners(7700, 2);
			trace.scope(network.leftPath()).scope(network.rightPath());

			// WHEN the left namespace sends one datagram to the group, out of its veth
			network.execInLeft("sh", "-c", "echo hello | socat -u STDIN UDP4-DATAGRAM:239.1.1.1:7700,ip-multicast-if="
					+ network.leftAddress());

			// THEN each receiver read it, and it was one journey, two skbs: the one the first socket
			// got is a clone of the other's
			awaitDatagram(first, "hello");
			awaitDatagram(second, "hello");
			trace.flush();
			assertThat(trace).journeys(udp().dstPort(7700)).theOnlyJourney().reached("skb_clone");
			Journey journey = trace.journeys().stream().filter(udp().dstPort(7700)::matches).findFirst().orElseThrow();
			assertThat(journey.paths()).as("%s", PwruFormat.render(trace, journey.paths())).hasSize(2);
			System.out.println(PwruFormat.render(trace, journey.paths()));
		} finally {
			first.destroyForcibly().waitFor();
			if (second != null) {
				second.destroyForcibly().waitFor();
			}
		}
	}

	/**
	 * socat reading group 239.1.1.1 on {@code port} with SO_REUSEADDR, so each datagram reaches each
	 * one, and writing what it reads to its standard output.
	 */
	private Process startReceiver(int port) throws IOException {
		return new ProcessBuilder("ip", "netns", "exec", network.rightName(), "socat", "-u",
				"UDP4-RECV:" + port + ",reuseaddr,ip-add-membership=239.1.1.1:" + network.rightAddress(), "STDOUT")
				.redirectError(ProcessBuilder.Redirect.DISCARD).start();
	}

	/**
	 * Waits until the receiver has read {@code text}: its read is where the kernel last sees the
	 * packet (skb_copy_datagram_iovec) on kernels without the socket-receive probe (before 6.2).
	 */
	@Test
	void refusals_are_answered_and_tied_to_their_packets_through_kernel_functions(PacketTrace trace) {
		// GIVEN a REJECT with tcp-reset on port 81; nothing listens on 82 nor on UDP 8097
		trace.scope(network.leftPath()).scope(network.rightPath());
		network.execInRight("iptables-legacy", "-A", "INPUT", "-p", "tcp", "--dport", "81", "-j", "REJECT",
				"--reject-with", "tcp-reset");

		// WHEN the left namespace tries each
		ExchangeResult rejected = Traffic.fromNetnsPath(network.leftPath()).tcp().to(network.rightAddress(), 81)
				.connectAndSend("hello");
		ExchangeResult closed = Traffic.fromNetnsPath(network.leftPath()).tcp().to(network.rightAddress(), 82)
				.connectAndSend("hello");
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 8097).send(1);

		// THEN each packet has its answer, though function probes show more of each skb (the SYN's
		// clone kept for retransmission, the answer's headers being written)
		assertThat(rejected.isRefused()).as("%s", rejected).isTrue();
		assertThat(closed.isRefused()).as("%s", closed).isTrue();
		assertThat(trace).packets(tcp().dstPort(81)).wereRejected().withReset();
		assertThat(trace).packets(tcp().dstPort(82)).wereRejected().withReset();
		assertThat(trace).packets(udp().dstPort(8097)).wereRejected().withPortUnreachable();
	}

	private static void awaitDatagram(Process receiver, String text) throws Exception {
		var reader = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
		String line = CompletableFuture.supplyAsync(() -> {
			try {
				return reader.readLine();
			} catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		}).get(EMULATED_WAIT_SECONDS, TimeUnit.SECONDS);
		assertThat(line).as("what the receiver read").isEqualTo(text);
	}

	private void awaitListeners(int port, int count) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(EMULATED_WAIT_SECONDS);
		while (network.execInRight("ss", "-lun").split(":" + port + " ", -1).length - 1 < count) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException(count + " sockets did not bind UDP " + port + " in "
						+ network.rightName() + ": " + network.execInRight("ss", "-lun"));
			}
			Thread.sleep(20);
		}
	}

	/** socat echoing every connection, listening before this returns. */
	private Process startEchoServer(int port) throws IOException, InterruptedException {
		Process process = new ProcessBuilder("ip", "netns", "exec", network.rightName(), "socat",
				"TCP-LISTEN:" + port + ",reuseaddr,fork", "PIPE").redirectErrorStream(true).start();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(EMULATED_WAIT_SECONDS);
		while (!network.execInRight("ss", "-ltn").contains(":" + port + " ")) {
			if (!process.isAlive() || System.nanoTime() > deadline) {
				process.destroyForcibly();
				throw new IllegalStateException("socat did not listen on " + port + " in " + network.rightName()
						+ ": " + new String(process.getInputStream().readNBytes(2000)));
			}
			Thread.sleep(20);
		}
		return process;
	}
}
