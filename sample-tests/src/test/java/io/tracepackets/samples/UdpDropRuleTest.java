package io.tracepackets.samples;

import static io.tracepackets.DropReason.NETFILTER_DROP;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.KernelTest;
import io.tracepackets.samples.support.NetboxContainer;
import io.tracepackets.samples.support.NetboxContainer.IptablesVariant;
import io.tracepackets.traffic.Traffic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The regression check a firewall change needs: a DROP rule on UDP 9000 drops exactly the packets
 * sent to 9000, in netfilter, and lets 9001 through — with iptables-nft and iptables-legacy.
 */
@KernelTest
@Testcontainers
@TracePackets
class UdpDropRuleTest {

	@Container
	NetboxContainer netbox = new NetboxContainer();

	// udpDropRule {
	@ParameterizedTest
	@EnumSource(IptablesVariant.class)
	void a_drop_rule_on_udp_9000_drops_exactly_those_packets(IptablesVariant iptables, PacketTrace trace) {
		// GIVEN a DROP rule for UDP 9000 in the container
		netbox.iptables(iptables, "-A", "INPUT", "-p", "udp", "--dport", "9000", "-j", "DROP");

		// WHEN the test sends 5 datagrams to 9000 and 5 to 9001
		Traffic.udp().to(netbox.ipAddress(), 9000).send(5);
		Traffic.udp().to(netbox.ipAddress(), 9001).send(5);

		// THEN the kernel dropped exactly the five to 9000, in netfilter, and delivered the others
		assertThat(trace).packets(udp().dstPort(9000))
				.hasCount(5)
				.wereDropped()
				.in("nf_hook_slow")
				.withReason(NETFILTER_DROP);
		assertThat(trace).packets(udp().dstPort(9001))
				.hasCount(5)
				.wereNotDropped()
				.wereDelivered();
	}
	// }

	@ParameterizedTest
	@EnumSource(IptablesVariant.class)
	void each_iptables_flavour_frees_the_packet_where_it_drops_it(IptablesVariant iptables, PacketTrace trace) {
		// GIVEN
		netbox.iptables(iptables, "-A", "INPUT", "-p", "udp", "--dport", "9000", "-j", "DROP");

		// WHEN
		Traffic.udp().to(netbox.ipAddress(), 9000).send(3);

		// THEN nf_tables frees the skb itself (nft_do_chain); x_tables returns NF_DROP to nf_hook_slow
		String location = iptables == IptablesVariant.NFT ? "nft_do_chain" : "nf_hook_slow";
		assertThat(trace).packets(udp().dstPort(9000)).hasCount(3).wereDropped().in(location);
		assertThat(trace.packets(udp().dstPort(9000)))
				.allSatisfy(path -> assertThat(path.drop().orElseThrow().locationFunction()).contains(location));
	}

	// dropRuleNamed {
	@ParameterizedTest
	@EnumSource(IptablesVariant.class)
	void the_drop_names_the_rule_that_dropped_it(IptablesVariant iptables, PacketTrace trace) {
		// GIVEN an ACCEPT rule for UDP 9001 and DROP rules for UDP 9000 and 9002
		netbox.iptables(iptables, "-A", "INPUT", "-p", "udp", "--dport", "9001", "-j", "ACCEPT");
		netbox.iptables(iptables, "-A", "INPUT", "-p", "udp", "--dport", "9000", "-j", "DROP");
		netbox.iptables(iptables, "-A", "INPUT", "-p", "udp", "--dport", "9002", "-j", "DROP");

		// WHEN
		Traffic.udp().to(netbox.ipAddress(), 9000).send(3);
		Traffic.udp().to(netbox.ipAddress(), 9002).send(2);

		// THEN each drop names its own rule in filter INPUT, whatever iptables backend made it
		assertThat(trace).packets(udp().dstPort(9000))
				.hasCount(3)
				.wereDropped()
				.byRule("-p udp --dport 9000 -j DROP")
				.inChain("filter", "INPUT");
		assertThat(trace).packets(udp().dstPort(9002))
				.hasCount(2)
				.wereDropped()
				.byRule("-p udp --dport 9002 -j DROP");
	}
	// }

	@Test
	void a_native_nft_rule_is_named_by_its_statement(PacketTrace trace) {
		// GIVEN an nft table of the user's own
		netbox.exec("nft", "add table inet guard");
		netbox.exec("nft", "add chain inet guard input { type filter hook input priority 0; policy accept; }");
		netbox.exec("nft", "add rule inet guard input udp dport 9000 counter drop");

		// WHEN
		Traffic.udp().to(netbox.ipAddress(), 9000).send(2);

		// THEN
		assertThat(trace).packets(udp().dstPort(9000))
				.hasCount(2)
				.wereDropped()
				.byRule("udp dport 9000 counter drop")
				.inChain("guard", "input");
		assertThat(trace.packets(udp().dstPort(9000)))
				.allSatisfy(path -> assertThat(path.culprit().orElseThrow().describe())
						.isEqualTo("nft rule 1 of guard input (handle 2): udp dport 9000 counter drop"));
	}

	// rejectRuleAsTyped {
	@ParameterizedTest
	@EnumSource(IptablesVariant.class)
	void a_reject_rule_is_named_by_the_text_the_user_typed(IptablesVariant iptables, PacketTrace trace) {
		// GIVEN a REJECT rule, which iptables-save prints with the -m udp and --reject-with it adds
		netbox.iptables(iptables, "-A", "INPUT", "-p", "udp", "--dport", "8096", "-j", "REJECT");

		// WHEN
		Traffic.udp().to(netbox.ipAddress(), 8096).send(2);

		// THEN the rule as typed names it: iptables itself reads the text the way it saved the rule
		assertThat(trace).packets(udp().dstPort(8096))
				.hasCount(2)
				.wereDropped()
				.byRule("-p udp --dport 8096 -j REJECT");
		assertThat(trace.packets(udp().dstPort(8096)))
				.allSatisfy(path -> assertThat(path.culprit().orElseThrow().describe())
						.endsWith("-A INPUT -p udp -m udp --dport 8096 -j REJECT --reject-with icmp-port-unreachable"
								+ (iptables == IptablesVariant.LEGACY ? " [by rule counters]" : "")));
	}
	// }

	@Test
	void a_typed_rule_that_iptables_cannot_read_fails_with_its_message(PacketTrace trace) {
		// GIVEN
		netbox.iptables(IptablesVariant.NFT, "-A", "INPUT", "-p", "udp", "--dport", "8096", "-j", "REJECT");

		// WHEN
		Traffic.udp().to(netbox.ipAddress(), 8096).send(1);

		// THEN a typo in the text is iptables' to point out, not a mismatch
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(8096)).hasCount(1).wereDropped()
						.byRule("-p udp --dprot 8096 -j REJECT"))
				.withMessageContaining("""
						to be dropped by the rule:
						  -p udp --dprot 8096 -j REJECT
						but iptables-nft, which wrote the rule that dropped them, cannot read that rule:
						""")
				.withMessageContaining("(nf_tables): unknown option \"--dprot\"");
	}

	@Test
	void an_nft_rule_that_looks_up_a_set_is_named_by_its_statement(PacketTrace trace) {
		// GIVEN a named set of ports and a rule that drops what is in it
		netbox.exec("nft", "add table inet guard");
		netbox.exec("nft", "add set inet guard closed { type inet_service; elements = { 9000, 9002 }; }");
		netbox.exec("nft", "add chain inet guard input { type filter hook input priority 0; policy accept; }");
		netbox.exec("nft", "add rule inet guard input udp dport @closed counter drop");

		// WHEN
		Traffic.udp().to(netbox.ipAddress(), 9002).send(2);

		// THEN nft reads the text against the container's own set
		assertThat(trace).packets(udp().dstPort(9002))
				.hasCount(2)
				.wereDropped()
				.byRule("udp   dport @closed counter drop")
				.inChain("guard", "input");
	}

	@ParameterizedTest
	@EnumSource(IptablesVariant.class)
	void a_chain_policy_drop_is_named_as_the_policy(IptablesVariant iptables, PacketTrace trace) {
		// GIVEN INPUT accepts only TCP 9002 and drops everything else by policy
		netbox.iptables(iptables, "-A", "INPUT", "-p", "tcp", "--dport", "9002", "-j", "ACCEPT");
		netbox.iptables(iptables, "-P", "INPUT", "DROP");

		// WHEN
		Traffic.udp().to(netbox.ipAddress(), 9001).send(2);

		// THEN
		assertThat(trace).packets(udp().dstPort(9001))
				.hasCount(2)
				.wereDropped()
				.byPolicy()
				.inChain("filter", "INPUT");
	}
}
