package io.tracepackets.assertj;

import static io.tracepackets.KernelErrno.EHOSTUNREACH;
import static io.tracepackets.KernelErrno.EPERM;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.FakePacketTrace.START;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.UDP_9000;
import static io.tracepackets.assertj.TracedPackets.UDP_9001;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.droppedByNftables;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.tracepackets.DropReason;
import io.tracepackets.PacketEvent;
import io.tracepackets.TracingUnavailableException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PacketsAssert_returned_Test {

	/** A function backend's view of an iptables drop: nf_hook_slow frees the packet, then returns -EPERM. */
	private static List<PacketEvent> droppedByIptables() {
		return List.of(
				UDP_9000.at(START + 1_500_000, "netif_receive_skb"),
				UDP_9000.returned(START + 1_520_000, "ip_route_input_noref", 0),
				UDP_9000.function(START + 1_550_000, "nf_hook_slow"),
				UDP_9000.dropped(START + 1_600_000, DropReason.NETFILTER_DROP, "nf_hook_slow+0x9e"),
				UDP_9000.returned(START + 1_610_000, "nf_hook_slow", -EPERM));
	}

	/** A packet for which the route lookup failed. */
	private static List<PacketEvent> unroutable() {
		return List.of(
				UDP_9001.at(START + 2_000_000, "netif_receive_skb"),
				UDP_9001.returned(START + 2_050_000, "ip_route_input_noref", -EHOSTUNREACH),
				UDP_9001.dropped(START + 2_100_000, DropReason.NOT_SPECIFIED, "ip_rcv_finish_core+0x1a2"));
	}

	private static FakePacketTrace recorded(List<PacketEvent>... events) {
		return trace(FakeProbeCatalog.recordingReturns(Set.of("nf_hook_slow")), events);
	}

	@Test
	void should_pass_when_every_matching_packet_returned_the_value() {
		// GIVEN
		FakePacketTrace trace = recorded(droppedByIptables(), unroutable());

		// WHEN / THEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9000))
				.returned("nf_hook_slow", -EPERM)
				.returnedError("nf_hook_slow")
				.returned("ip_route_input_noref", 0)
				.hasCount(1));
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9001))
				.returned("ip_route_input_noref", -EHOSTUNREACH)
				.returnedError("ip_route_input_noref"));
	}

	@Test
	void should_match_a_value_by_the_name_the_trace_shows() {
		// GIVEN
		FakePacketTrace trace = recorded(droppedByIptables(), unroutable());

		// WHEN / THEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9001))
				.returned("ip_route_input_noref", "-EHOSTUNREACH"));
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9000)).returned("nf_hook_slow", "1"))
				.withMessageStartingWith("""

						Expecting packets matching:
						  udp and dst port 9000
						to return 1 from nf_hook_slow
						but 1 of 1 did not:
						""");
		assertThatIllegalArgumentException()
				.isThrownBy(() -> assertThat(trace).packets(udp()).returned("nf_hook_slow", " "))
				.withMessage("returned(\"nf_hook_slow\", value) needs the value as the trace shows it, e.g."
						+ " \"-EHOSTUNREACH\", \"1\" or a drop reason's name; got \"\"");
	}

	@Test
	void should_fail_showing_each_path_with_what_the_functions_returned() {
		// GIVEN one packet was routed, the other not
		FakePacketTrace trace = recorded(droppedByIptables(), unroutable());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).returned("ip_route_input_noref", -EHOSTUNREACH))
				.withMessage(MESSAGE_ROUTED);
	}

	@Test
	void should_fail_when_no_matching_packet_had_an_error() {
		// GIVEN
		FakePacketTrace trace = recorded(droppedByIptables());

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).returnedError("ip_route_input_noref"))
				.withMessageStartingWith("""

						Expecting packets matching:
						  udp
						to return an error from ip_route_input_noref
						but 1 of 1 did not:
						""")
				.withMessageContaining("ip_route_input_noref \u2192 0 (routed)")
				.withMessageContaining("nf_hook_slow \u2192 -EPERM (drop)");
	}

	@Test
	void should_refuse_to_answer_on_the_tracepoint_backend_saying_why() {
		// GIVEN the tracepoint backend, which sees no function's return
		FakePacketTrace trace = trace(droppedByNftables(), delivered());

		// WHEN / THEN tracing is unavailable (a skip, a failure in strict mode), not a false "did not return"
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).returned("ip_route_input_noref", -EHOSTUNREACH))
				.withMessage("the return value of ip_route_input_noref unavailable: the tracepoint backend probes no"
						+ " kernel function's return: kprobes are disabled in this test");
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).returnedError("nf_hook_slow"))
				.withMessageStartingWith("the return value of nf_hook_slow unavailable: the tracepoint backend");
	}

	@Test
	void should_refuse_to_answer_when_the_function_s_return_probes_did_not_attach() {
		// GIVEN a function backend whose sk_filter_trim_cap probes did not attach
		FakePacketTrace trace = trace(FakeProbeCatalog.recordingReturns(Set.of(), "sk_filter_trim_cap"),
				droppedByIptables());

		// WHEN / THEN
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).returnedError("sk_filter_trim_cap"))
				.withMessage("the return value of sk_filter_trim_cap unavailable: its return probes did not attach:"
						+ " EINVAL (in this test)");
	}

	@Test
	void should_name_the_recorded_functions_for_another_one() {
		// GIVEN
		FakePacketTrace trace = recorded(droppedByIptables());

		// WHEN / THEN
		assertThatIllegalArgumentException()
				.isThrownBy(() -> assertThat(trace).packets(udp()).returned("tcp_v4_rcv", 0))
				.withMessage("the return value of tcp_v4_rcv is not recorded: TracePackets records what"
						+ " ip_route_input_noref, nf_hook_slow, sk_filter_trim_cap return (ReturnValue.RECORDED);"
						+ " for another function assert where the packet went (reached, passedThrough,"
						+ " wereDropped().in)");
	}

	private static final String MESSAGE_ROUTED = """

			Expecting packets matching:
			  udp
			to return -EHOSTUNREACH from ip_route_input_noref
			but 1 of 2 did not:
			  TIME        HOP        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
			  +1.500ms    -          0xffff888004a3c000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             netif_receive_skb
			  +1.520ms    +0.020ms   0xffff888004a3c000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             ip_route_input_noref → 0 (routed)
			  +1.550ms    +0.030ms   0xffff888004a3c000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             nf_hook_slow
			  +1.600ms    +0.050ms   0xffff888004a3c000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             kfree_skb NETFILTER_DROP (lost) at nf_hook_slow+0x9e
			  +1.610ms    +0.010ms   0xffff888004a3c000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             nf_hook_slow → -EPERM (drop)
			  lost: NETFILTER_DROP: dropped by a netfilter rule or policy
			    a netfilter rule or chain policy dropped it (iptables/nftables)
			  netns 4026532001 = server

			Traced 2 packets in netns server with the fentry backend (chosen in this test).""";
}
