package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.FailureTexts.tracedInServer;
import static io.tracepackets.assertj.FakePacketTrace.START;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.UDP_9000;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.tracepackets.DropCulprit;
import io.tracepackets.DropReason;
import io.tracepackets.PacketEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class DropsAssert_byRule_Test {

	private static final DropCulprit.NetfilterRule DROP_9000 = new DropCulprit.NetfilterRule("iptables-nft", "ip",
			"filter", "INPUT", 1, 2, "-A INPUT -p udp -m udp --dport 9000 -j DROP", false, "nftrace", List.of());
	private static final DropCulprit.NetfilterRule POLICY = new DropCulprit.NetfilterRule("iptables-nft", "ip",
			"filter", "INPUT", 0, 0, "-P INPUT DROP", true, "nftrace", List.of());

	private static List<PacketEvent> droppedBy(DropCulprit culprit) {
		return List.of(UDP_9000.at(START + 1_500_000, "netif_receive_skb"),
				UDP_9000.droppedBy(START + 1_600_000, culprit, DropReason.NETFILTER_DROP, "nft_do_chain+0x2f1 [nf_tables]",
						"nft_do_chain+0x2f1 [nf_tables]", "nf_hook_slow+0x42", "ip_local_deliver+0x7c"));
	}

	/** iptables-nft as it reads the texts these tests type. */
	private static List<String> iptablesNft(String typed) {
		return switch (typed) {
			case "-p udp --dport 9000 -j DROP" -> List.of("-A INPUT -p udp -m udp --dport 9000 -j DROP");
			case "-p udp --dport 9001 -j DROP" -> List.of("-A INPUT -p udp -m udp --dport 9001 -j DROP");
			case "-p udp --dprot 9000 -j DROP" ->
				throw new IllegalArgumentException("iptables v1.8.9 (nf_tables): unknown option \"--dprot\"");
			default -> throw new IllegalStateException("not a text of these tests: " + typed);
		};
	}

	@Test
	void should_pass_when_the_rule_as_its_tool_writes_it_dropped_every_packet() {
		FakePacketTrace trace = trace(droppedBy(DROP_9000)).withRuleTool(DropsAssert_byRule_Test::iptablesNft);

		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9000)).wereDropped()
				.byRule("-p udp --dport 9000 -j DROP")
				.inChain("filter", "INPUT"));
	}

	@Test
	void should_compare_the_text_as_typed_when_the_trace_has_no_tool_to_ask() {
		FakePacketTrace trace = trace(droppedBy(DROP_9000));

		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp()).wereDropped()
				.byRule(" -A INPUT  -p udp -m udp --dport 9000 -j DROP"));
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereDropped().byRule("-p udp --dport 9000 -j DROP"));
	}

	@Test
	void should_fail_with_the_tools_own_message_when_it_cannot_read_the_rule() {
		FakePacketTrace trace = trace(droppedBy(DROP_9000)).withRuleTool(DropsAssert_byRule_Test::iptablesNft);

		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9000)).wereDropped()
						.byRule("-p udp --dprot 9000 -j DROP"))
				.withMessage("""

						Expecting packets matching:
						  udp and dst port 9000
						to be dropped by the rule:
						  -p udp --dprot 9000 -j DROP
						but iptables-nft, which wrote the rule that dropped them, cannot read that rule:
						  iptables v1.8.9 (nf_tables): unknown option "--dprot\"""");
	}

	@Test
	void should_fail_naming_the_rule_that_did_drop() {
		FakePacketTrace trace = trace(droppedBy(DROP_9000)).withRuleTool(DropsAssert_byRule_Test::iptablesNft);

		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereDropped().byRule("-p udp --dport 9001 -j DROP"))
				.withMessage("""

						Expecting packets matching:
						  udp
						to be dropped by the rule:
						  -p udp --dport 9001 -j DROP
						  which iptables-nft writes as: -A INPUT -p udp -m udp --dport 9001 -j DROP
						but 1 of 1 were dropped by:
						  iptables-nft rule 1 of filter INPUT (handle 2): -A INPUT -p udp -m udp --dport 9000 -j DROP
						  TIME        HOP        SKB                CPU PROCESS            NETNS       IFACE          LEN   TUPLE                                          WHERE
						  +1.500ms    -          0xffff888004a3c000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             netif_receive_skb
						  +1.600ms    +0.100ms   0xffff888004a3c000 1   [swapper/1]        4026532001  eth0(12)       60    10.0.0.1:40000 > 10.0.0.2:9000 udp             kfree_skb NETFILTER_DROP (lost) at nft_do_chain+0x2f1 [nf_tables]
						                                                                                                                                                   by iptables-nft rule 1 of filter INPUT (handle 2): -A INPUT -p udp -m udp --dport 9000 -j DROP
						  lost: NETFILTER_DROP: dropped by a netfilter rule or policy
						    a netfilter rule or chain policy dropped it (iptables/nftables)
						  netns 4026532001 = server

						""" + tracedInServer(1));
	}

	@Test
	void should_fail_saying_no_rule_matched_when_none_was_named() {
		FakePacketTrace trace = trace(TracedPackets.droppedByNftables());

		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereDropped().inChain("filter", "INPUT"))
				.withMessageContaining("""
						to be dropped in the chain filter INPUT
						but 1 of 1 were dropped by:
						  no rule: no netfilter rule or policy, nor tc or XDP program, was found to have dropped it
						""");
	}

	@Test
	void should_say_why_no_rule_was_named_when_the_trace_can_tell() {
		FakePacketTrace trace = trace(TracedPackets.droppedByNftables())
				.withWhyNoCulprit("netfilter rule tracing is off (-Dtracepackets.netfilter.rules=false)");

		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereDropped().byRule("-p udp --dport 9000 -j DROP"))
				.withMessageContaining(String.format("""
						but 1 of 1 were dropped by:
						  no rule: no netfilter rule or policy, nor tc or XDP program, was found to have dropped it
						    because netfilter rule tracing is off (-Dtracepackets.netfilter.rules=false)
						"""));
	}

	@Test
	void should_tell_a_policy_from_a_rule() {
		FakePacketTrace byPolicy = trace(droppedBy(POLICY));
		FakePacketTrace byRule = trace(droppedBy(DROP_9000));

		assertThatNoException().isThrownBy(() -> assertThat(byPolicy).packets(udp()).wereDropped().byPolicy()
				.inChain("filter", "INPUT"));
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(byRule).packets(udp()).wereDropped().byPolicy())
				.withMessageContaining("""
						to be dropped by a chain policy
						but 1 of 1 were dropped by:
						  iptables-nft rule 1 of filter INPUT (handle 2): -A INPUT -p udp -m udp --dport 9000 -j DROP
						""");
	}

	@Test
	void should_name_the_tc_program_attached_where_it_was_dropped() {
		DropCulprit.BpfProgram program = new DropCulprit.BpfProgram("drop_udp_9000", 13062, "eth0", "tc ingress",
				List.of());
		FakePacketTrace trace = trace(droppedBy(program));

		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp()).wereDropped()
				.byProgram("drop_udp_9000"));
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp()).wereDropped().byRule("-p udp -j DROP"))
				.withMessageContaining("""
						but 1 of 1 were dropped by:
						  BPF program drop_udp_9000 (id 13062) on eth0 tc ingress [by attach point]
						""");
	}
}
