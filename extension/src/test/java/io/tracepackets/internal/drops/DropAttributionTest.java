package io.tracepackets.internal.drops;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.DropReason;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketEvents;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which drops the attribution asks netfilter about, and why a drop names no culprit: decided by
 * the culprit table alone, so no namespace is needed (the kernel tests TcxProgramsTest,
 * XdpProgramsTest and RuleTracingTest name real programs and rules).
 */
class DropAttributionTest {

	private static final PacketEvents PACKET = PacketEvents.udp("10.0.0.1", 40000, "10.0.0.2", 9000).iface(3, "veth1");

	/** Netfilter's side, as a test sees it: which drops it was asked about, and a fixed answer why none. */
	private static final class AskedRules implements RuleMatches {

		final List<PacketEvent> asked = new ArrayList<>();

		@Override
		public void add(NetworkNamespace netns) {
		}

		@Override
		public Lookup lookup() {
			return drop -> {
				asked.add(drop);
				return Optional.empty();
			};
		}

		@Override
		public String whyNoRule(PacketEvent drop) {
			return "netfilter's own reason";
		}

		@Override
		public void close() {
		}
	}

	private final AskedRules rules = new AskedRules();
	/** Nothing to close: its rule matches are this test's. */
	private final DropAttribution attribution = new DropAttribution(rules);

	@Test
	void a_tc_drop_without_a_program_says_which_hook_had_none() {
		assertThat(attribution.whyNoCulprit(PACKET.dropped(0, DropReason.TC_EGRESS, "sch_handle_egress+0x1c")))
				.isEqualTo("no tc program is attached at veth1 egress now (detached before the assertion?), and the"
						+ " drop's tracepoint does not say which program returned TC_ACT_SHOT");
	}

	@Test
	void an_xdp_drop_without_a_program_names_the_mode_whose_code_freed_it() {
		assertThat(attribution.whyNoCulprit(PACKET.dropped(0, DropReason.NOT_SPECIFIED, "do_xdp_generic+0x2a")))
				.isEqualTo("no XDP program in generic mode is attached at veth1 now (detached before the assertion?)");
		assertThat(attribution.whyNoCulprit(PACKET.dropped(0, DropReason.XDP, "mlx5e_xdp_handle+0x10")))
				.isEqualTo("no XDP program is attached at veth1 now (detached before the assertion?)");
		assertThat(attribution.whyNoCulprit(PACKET.xdpVerdict(0, 7)))
				.isEqualTo("no XDP program is attached at veth1 now (detached before the assertion?)");
	}

	@Test
	void a_netfilter_drop_is_netfilters_to_explain_and_another_drop_says_no_rule_made_it() {
		assertThat(attribution.whyNoCulprit(PACKET.dropped(0, DropReason.NOT_SPECIFIED, "nft_do_chain+0x3b4")))
				.isEqualTo("netfilter's own reason");
		assertThat(attribution.whyNoCulprit(PACKET.dropped(0, DropReason.NO_SOCKET, "__udp4_lib_rcv+0x4bc")))
				.isEqualTo("it was not a netfilter, tc or XDP drop (NO_SOCKET at __udp4_lib_rcv): no rule or program"
						+ " made it; its sentence says what did");
	}

	@Test
	void only_netfilters_drops_are_asked_about_and_nothing_is_before_a_namespace_is_added() {
		PacketEvent netfilter = PACKET.dropped(0, DropReason.NETFILTER_DROP, "nf_hook_slow+0x7d");
		PacketEvent noSocket = PACKET.dropped(1, DropReason.NO_SOCKET, "__udp4_lib_rcv+0x4bc");

		// WHEN / THEN: no namespace yet, no rule is looked up; each drop only learns why it names none
		assertThat(attribution.attribute(List.of(netfilter, noSocket))).extracting(event -> event.whyNoCulprit().orElse(null))
				.containsExactly("netfilter's own reason", "it was not a netfilter, tc or XDP drop (NO_SOCKET at"
						+ " __udp4_lib_rcv): no rule or program made it; its sentence says what did");
		assertThat(rules.asked).isEmpty();

		// WHEN a namespace is attributed (this JVM's, which this test only names)
		attribution.add(NetworkNamespace.current());
		List<PacketEvent> attributed = attribution.attribute(List.of(netfilter, noSocket));

		// THEN netfilter is asked about its drop alone, and neither drop is given a culprit
		assertThat(rules.asked).containsExactly(netfilter);
		assertThat(attributed).allSatisfy(event -> assertThat(event.culprit()).isEmpty());
		assertThat(attributed).extracting(event -> event.whyNoCulprit().orElse(null)).doesNotContainNull();
	}

	@Test
	void a_drop_given_no_culprit_carries_why_and_other_events_carry_nothing() {
		// GIVEN a namespace attributed, a netfilter drop no rule is found for, and a packet on its way
		attribution.add(NetworkNamespace.current());
		PacketEvent drop = PACKET.dropped(0, DropReason.NETFILTER_DROP, "nf_hook_slow+0x7d");
		PacketEvent received = PACKET.at(1, "netif_receive_skb");

		// WHEN
		List<PacketEvent> attributed = attribution.attribute(List.of(drop, received));

		// THEN the sentence is the one asked of the attribution, decided with the lookup
		assertThat(attributed).extracting(event -> event.whyNoCulprit().orElse(null))
				.containsExactly(attribution.whyNoCulprit(drop), null);
	}
}
