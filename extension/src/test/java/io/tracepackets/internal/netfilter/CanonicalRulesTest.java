package io.tracepackets.internal.netfilter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.tracepackets.DropCulprit;
import io.tracepackets.KernelTest;
import io.tracepackets.internal.netns.NetworkNamespace;
import io.tracepackets.testing.VethNamespaces;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Typed rules read back by the tool that wrote the dropping rule, in a scratch network namespace:
 * iptables-nft, iptables-legacy, ip6tables (both), and nft with a set, a map and a chain of the
 * rule's own namespace. Each test asks the real tool; nothing here knows a default of its own.
 */
@KernelTest
class CanonicalRulesTest {

	private static DropCulprit.NetfilterRule culprit(String tool, String family, String table, String chain) {
		return new DropCulprit.NetfilterRule(tool, family, table, chain, 1, 2, "?", false, "nftrace", List.of());
	}

	@Test
	void should_read_a_reject_as_iptables_nft_writes_it() {
		assertThat(CanonicalRules.canonical(null, culprit("iptables-nft", "ip", "filter", "INPUT"),
				"-p udp --dport 8096 -j REJECT"))
				.containsExactly("-A INPUT -p udp -m udp --dport 8096 -j REJECT --reject-with icmp-port-unreachable");
	}

	@Test
	void should_read_long_options_a_chain_prefix_and_a_bare_address_as_iptables_legacy_writes_them() {
		DropCulprit.NetfilterRule rule = culprit("iptables-legacy", "ip", "filter", "INPUT");

		assertThat(CanonicalRules.canonical(null, rule, "--source 10.0.0.1 --protocol tcp --destination-port 22 --jump REJECT"))
				.containsExactly("-A INPUT -s 10.0.0.1/32 -p tcp -m tcp --dport 22 -j REJECT --reject-with icmp-port-unreachable");
		assertThat(CanonicalRules.canonical(null, rule, "-A INPUT -p udp -m udp --dport 9000 -j DROP"))
				.containsExactly("-A INPUT -p udp -m udp --dport 9000 -j DROP");
	}

	@Test
	void should_read_ipv6_rules_with_ip6tables() {
		assertThat(CanonicalRules.canonical(null, culprit("ip6tables-nft", "ip6", "filter", "INPUT"),
				"-s fd00::1 -p udp --dport 9 -j REJECT"))
				.containsExactly("-A INPUT -s fd00::1/128 -p udp -m udp --dport 9 -j REJECT --reject-with icmp6-port-unreachable");
		assertThat(CanonicalRules.canonical(null, culprit("ip6tables-legacy", "ip6", "filter", "INPUT"),
				"-p ipv6-icmp -j DROP"))
				.containsExactly("-A INPUT -p ipv6-icmp -j DROP");
	}

	@Test
	void should_keep_a_quoted_comment_as_one_word_and_make_one_rule_per_source() {
		DropCulprit.NetfilterRule rule = culprit("iptables-nft", "ip", "filter", "INPUT");

		assertThat(CanonicalRules.canonical(null, rule, "-p udp --dport 9 -m comment --comment \"web tier\" -j DROP"))
				.containsExactly("-A INPUT -p udp -m udp --dport 9 -m comment --comment \"web tier\" -j DROP");
		assertThat(CanonicalRules.canonical(null, rule, "-s 10.0.0.1,10.0.0.2 -j DROP"))
				.containsExactly("-A INPUT -s 10.0.0.1/32 -j DROP", "-A INPUT -s 10.0.0.2/32 -j DROP");
	}

	@Test
	void should_fail_with_iptables_own_message_for_a_typo() {
		assertThatIllegalArgumentException()
				.isThrownBy(() -> CanonicalRules.canonical(null, culprit("iptables-nft", "ip", "filter", "INPUT"),
						"-p udp --dprot 8096 -j REJECT"))
				.withMessageMatching("iptables v[0-9.]+ \\(nf_tables\\): unknown option \"--dprot\"");
	}

	@Test
	void should_read_a_rule_of_a_custom_chain_that_jumps_to_another_of_the_rules_namespace() {
		try (VethNamespaces pair = VethNamespaces.create()) {
			// GIVEN Docker's layout: FORWARD jumps to DOCKER-USER, which jumps to a chain of the user's
			pair.execInLeft("iptables-nft", "-N", "DOCKER-USER");
			pair.execInLeft("iptables-nft", "-N", "BLOCKED");
			pair.execInLeft("iptables-nft", "-A", "DOCKER-USER", "-p", "tcp", "--dport", "8080", "-j", "BLOCKED");
			NetworkNamespace netns = NetworkNamespace.ofPath(pair.leftPath());

			// WHEN / THEN the chain the rule names exists in the copy, and the rule reads as saved there
			assertThat(CanonicalRules.canonical(netns, culprit("iptables-nft", "ip", "filter", "DOCKER-USER"),
					"-p tcp --dport 8080 -j BLOCKED"))
					.containsExactly("-A DOCKER-USER -p tcp -m tcp --dport 8080 -j BLOCKED");
			assertThat(pair.execInLeft("iptables-nft-save", "-t", "filter"))
					.containsOnlyOnce("-A DOCKER-USER -p tcp -m tcp --dport 8080 -j BLOCKED");
		}
	}

	@Test
	void should_read_an_nft_rule_with_a_set_a_map_and_an_anonymous_set_of_the_rules_table() {
		try (VethNamespaces pair = VethNamespaces.create()) {
			// GIVEN a table with a named set and a verdict map
			pair.execInLeft("nft", "add table inet guard");
			pair.execInLeft("nft", "add set inet guard blocked { type ipv4_addr; elements = { 10.0.0.1 }; }");
			pair.execInLeft("nft", "add map inet guard ports { type inet_service : verdict; elements = { 9000 : drop }; }");
			pair.execInLeft("nft", "add chain inet guard input { type filter hook input priority 0; policy accept; }");
			pair.execInLeft("nft", "add rule inet guard input udp dport 7 counter drop");
			NetworkNamespace netns = NetworkNamespace.ofPath(pair.leftPath());
			DropCulprit.NetfilterRule rule = culprit("nft", "inet", "guard", "input");

			// WHEN / THEN each reads as nft lists it, counter values left out
			assertThat(CanonicalRules.canonical(netns, rule, "ip saddr @blocked counter drop"))
					.containsExactly("ip saddr @blocked counter drop");
			assertThat(CanonicalRules.canonical(netns, rule, "udp dport vmap @ports"))
					.containsExactly("udp dport vmap @ports");
			assertThat(CanonicalRules.canonical(netns, rule, "ip saddr { 10.0.0.3, 10.0.0.1 } tcp dport 22 reject"))
					.containsExactly("ip saddr { 10.0.0.1, 10.0.0.3 } tcp dport 22 reject with icmp port-unreachable");
			assertThatIllegalArgumentException()
					.isThrownBy(() -> CanonicalRules.canonical(netns, rule, "ip saddr @nope drop"))
					.withMessageContaining("Error: No such file or directory")
					.withMessageContaining("@nope");
			// and the real table is as it was
			assertThat(pair.execInLeft("nft", "list", "chain", "inet", "guard", "input"))
					.contains("udp dport 7 counter").doesNotContain("@blocked");
		}
	}

	@Test
	void should_copy_an_nft_table_without_the_rules_of_its_chains() {
		String listing = """
				table inet guard {
					set blocked {
						type ipv4_addr
						elements = { 10.0.0.1,
							     10.0.0.2 }
					}
					chain input {
						type filter hook input priority filter; policy drop;
						ip saddr { 10.0.0.3, 10.0.0.4 } drop
						udp dport 9000 counter packets 1 bytes 29 drop
					}
					chain helper {
						jump input
					}
				}
				""";

		assertThat(CanonicalRules.nftCopy(listing)).isEqualTo("""
				table inet guard {
					set blocked {
						type ipv4_addr
						elements = { 10.0.0.1,
							     10.0.0.2 }
					}
					chain input {
						type filter hook input priority filter; policy drop;
					}
					chain helper {
					}
				}
				""");
	}
}
