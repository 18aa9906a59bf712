package io.tracepackets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DropCulpritTest {

	private static DropCulprit.NetfilterRule rule(String tool, String text) {
		return new DropCulprit.NetfilterRule(tool, "ip", "filter", "INPUT", 2, 7, text, false, "nftrace", List.of());
	}

	@Test
	void should_describe_a_policy_as_the_chain_policy() {
		DropCulprit.NetfilterRule policy = new DropCulprit.NetfilterRule("iptables-nft", "ip", "filter", "INPUT", 0, 0,
				"-P INPUT DROP", true, "nftrace", List.of());

		assertThat(policy.describe()).isEqualTo("chain policy DROP of filter INPUT (iptables-nft): -P INPUT DROP");
	}

	@Test
	void should_describe_a_rule_with_its_place_and_how_it_was_found() {
		assertThat(rule("iptables-nft", "-A INPUT -p udp -m udp --dport 9000 -j DROP").describe())
				.isEqualTo("iptables-nft rule 2 of filter INPUT (handle 7): -A INPUT -p udp -m udp --dport 9000 -j DROP");
		assertThat(new DropCulprit.NetfilterRule("iptables-legacy", "ip", "filter", "INPUT", 1, 0,
				"-A INPUT -p udp -m udp --dport 9000 -j DROP", false, "rule counters",
				List.of("filter INPUT: -A INPUT -p udp -j DROP")).describe())
				.isEqualTo("iptables-legacy rule 1 of filter INPUT: -A INPUT -p udp -m udp --dport 9000 -j DROP"
						+ " [by rule counters; ambiguous, also: filter INPUT: -A INPUT -p udp -j DROP]");
	}

	@Test
	void should_say_how_a_bpf_program_was_found() {
		DropCulprit.BpfProgram tc = new DropCulprit.BpfProgram("drop_udp_9000", 13, "eth0", "tc ingress", List.of());
		DropCulprit.BpfProgram xdp = new DropCulprit.BpfProgram("xdp_drop_9100", 44, "veth1", "xdp", List.of(),
				DropCulprit.BpfProgram.SEEN_RETURNING_DROP);

		assertThat(tc.evidence()).isEqualTo(DropCulprit.BpfProgram.BY_ATTACH_POINT);
		assertThat(tc.isXdp()).isFalse();
		assertThat(xdp.isXdp()).isTrue();
		assertThat(xdp.describe()).isEqualTo("BPF program xdp_drop_9100 (id 44) on veth1 xdp [by fexit: returned XDP_DROP]");
		assertThat(new DropCulprit.BpfProgram("xdp_drop_9100", 45, "veth1", "xdp generic", List.of()).describe())
				.isEqualTo("BPF program xdp_drop_9100 (id 45) on veth1 xdp generic [by attach point]");
	}
}
