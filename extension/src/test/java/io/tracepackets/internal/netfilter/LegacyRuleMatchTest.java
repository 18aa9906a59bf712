package io.tracepackets.internal.netfilter;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.DropReason;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketEvents;
import org.junit.jupiter.api.Test;

class LegacyRuleMatchTest {

	private static final PacketEvent UDP_9000 = PacketEvents.udp("172.17.0.1", 40000, "172.17.0.2", 9000)
			.dropped(0, DropReason.NETFILTER_DROP, "nf_hook_slow+0x7d");

	@Test
	void should_rule_out_only_what_the_tuple_contradicts() {
		assertThat(LegacyRuleMatch.couldMatch("-A INPUT -p udp -m udp --dport 9000 -j DROP", UDP_9000)).isTrue();
		assertThat(LegacyRuleMatch.couldMatch("-A INPUT -p udp -m udp --dport 9001 -j DROP", UDP_9000)).isFalse();
		assertThat(LegacyRuleMatch.couldMatch("-A INPUT -p tcp -m tcp --dport 9000 -j DROP", UDP_9000)).isFalse();
		assertThat(LegacyRuleMatch.couldMatch("-A INPUT -p udp -m udp --dport 8000:9000 -j DROP", UDP_9000)).isTrue();
		assertThat(LegacyRuleMatch.couldMatch("-A INPUT -p udp -m udp ! --dport 9000 -j DROP", UDP_9000)).isFalse();
		assertThat(LegacyRuleMatch.couldMatch("-A INPUT -s 172.17.0.0/16 -j DROP", UDP_9000)).isTrue();
		assertThat(LegacyRuleMatch.couldMatch("-A INPUT -d 10.0.0.2/32 -j DROP", UDP_9000)).isFalse();
		assertThat(LegacyRuleMatch.couldMatch("-A INPUT -m string --string x --algo bm -j DROP", UDP_9000)).isTrue();
	}
}
