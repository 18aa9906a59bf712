package io.tracepackets.internal.netfilter;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.DropReason;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketEvents;
import io.tracepackets.TracePackets;
import io.tracepackets.internal.drops.DropAttribution;
import io.tracepackets.internal.netns.VethPairTest;
import io.tracepackets.traffic.Traffic;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Why a drop names no rule, as the attribution knows it: the live cases use a real namespace and
 * its real nftables trace, with stand-in drop events carrying the datagrams' tuple (as
 * {@link RuleTracingTest} does).
 */
class RuleTracingWhyNoCulpritTest extends VethPairTest {

	private PacketEvent netfilterDrop(int sourcePort, long netns) {
		return PacketEvents.udp(pair.aIp(), sourcePort, pair.bIp(), 9300).netns(netns)
				.dropped(0, DropReason.NETFILTER_DROP, "nf_hook_slow+0x42", "nf_hook_slow+0x42", "ip_local_deliver+0x7c");
	}

	@Test
	void a_netfilter_drop_that_no_trace_or_counter_shows_was_not_a_rules() {
		// GIVEN b traced, with no rule of its own
		try (DropAttribution tracing = new DropAttribution(new RuleTracing())) {
			tracing.add(pair.b());

			// WHEN a datagram passes, and a drop of it is attributed
			Traffic.fromNetnsPath(pair.a().path()).udp().fromPort(42000).to(pair.bIp(), 9300).send(1);
			PacketEvent drop = netfilterDrop(42000, pair.b().inode());
			assertThat(tracing.attribute(List.of(drop)).getFirst().culprit()).isEmpty();

			// THEN the sentence says the trace and the counters named none, so no rule did
			assertThat(tracing.whyNoCulprit(drop))
					.startsWith("the kernel's nftables trace reported no DROP or REJECT verdict of a rule or policy for"
							+ " this packet (iptables-nft, nft); " + pair.b().label() + " has no iptables-legacy ip tables:"
							+ " so no rule dropped it; a netfilter hook that is not a rule did");
		}
	}

	@Test
	void a_drop_outside_the_traced_namespaces_is_said_to_be_so() {
		try (DropAttribution tracing = new DropAttribution(new RuleTracing())) {
			tracing.add(pair.b());

			assertThat(tracing.whyNoCulprit(netfilterDrop(42001, pair.a().inode())))
					.isEqualTo("it was dropped in netns " + pair.a().inode() + ", outside the namespaces this trace scoped,"
							+ " whose rules are the only ones traced");
		}
	}

	@Test
	void a_drop_that_is_not_netfilters_names_its_reason() {
		try (DropAttribution tracing = new DropAttribution(new RuleTracing())) {
			PacketEvent noSocket = PacketEvents.udp(pair.aIp(), 42002, pair.bIp(), 9300).netns(pair.b().inode())
					.dropped(0, DropReason.NO_SOCKET, "__udp4_lib_rcv+0x4bc");

			assertThat(tracing.whyNoCulprit(noSocket)).isEqualTo("it was not a netfilter, tc or XDP drop (NO_SOCKET at"
					+ " __udp4_lib_rcv): no rule or program made it; its sentence says what did");
		}
	}

	@Test
	void rule_tracing_turned_off_is_said_to_be_so() {
		try (DropAttribution tracing = new DropAttribution(new RuleTracing(false))) {
			tracing.add(pair.b());

			assertThat(tracing.whyNoCulprit(netfilterDrop(42003, pair.b().inode())))
					.isEqualTo("netfilter rule tracing is off (-D" + TracePackets.NETFILTER_RULES_PROPERTY + "=false)");
		}
	}
}
