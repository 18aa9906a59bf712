package io.tracepackets.internal.netfilter;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Lines of {@code nft -a monitor trace} (nftables 1.0.6, as printed for a UDP drop) into traces. */
class NftMonitorTraceTest {

	private static final String PACKET = "trace id cd9b20a0 ip filter INPUT packet: iif \"eth0\" ether saddr"
			+ " 02:42:55:9b:de:a0 ether daddr 02:42:ac:11:00:02 ip saddr 172.17.0.1 ip daddr 172.17.0.2 ip dscp cs0"
			+ " ip ecn not-ect ip ttl 64 ip id 17803 ip length 31 udp sport 40000 udp dport 9000 udp length 11"
			+ " @th,64,24 0x68690a ";

	private final Map<Integer, NftTrace.Tuple> headers = new HashMap<>();

	@Test
	void should_keep_the_packet_and_give_the_rules_drop_with_its_handle() throws Exception {
		assertThat(NftMonitorTrace.parse(PACKET, headers)).isNull();
		NftTrace drop = NftMonitorTrace.parse("trace id cd9b20a0 ip filter INPUT rule udp dport 9000 counter packets 0"
				+ " bytes 0 drop # handle 2 (verdict drop)", headers);

		NftTrace.Tuple tuple = new NftTrace.Tuple(InetAddress.getByName("172.17.0.1"), InetAddress.getByName("172.17.0.2"),
				17, 40000, 9000);
		assertThat(drop).isEqualTo(new NftTrace(0xcd9b20a0, 2, "filter", "INPUT", 2, NftTrace.RULE, 0, -1, tuple));
		assertThat(drop.isDrop()).isTrue();
	}

	@Test
	void should_give_a_rule_the_monitor_does_not_know_by_its_handle() {
		// A rule added after the monitor started is printed without its text.
		NftTrace trace = NftMonitorTrace.parse("trace id d5d64691 inet tpx prerouting unknown rule handle 3 (verdict continue)",
				headers);

		assertThat(trace.handle()).isEqualTo(3);
		assertThat(trace.family()).isEqualTo(1);
		assertThat(trace.isDrop()).isFalse();
	}

	@Test
	void should_give_a_policy_drop_and_an_ipv6_tcp_packet() throws Exception {
		NftMonitorTrace.parse("trace id 0000002a ip6 filter INPUT packet: iif \"eth0\" ip6 saddr fd00::1 ip6 daddr fd00::2"
				+ " ip6 dscp cs0 ip6 nexthdr tcp ip6 hoplimit 64 tcp sport 51000 tcp dport 8080 tcp flags == syn", headers);
		NftTrace policy = NftMonitorTrace.parse("trace id 0000002a ip6 filter INPUT policy drop ", headers);

		assertThat(policy.type()).isEqualTo(NftTrace.POLICY);
		assertThat(policy.isDrop()).isTrue();
		assertThat(policy.packet()).isEqualTo(new NftTrace.Tuple(InetAddress.getByName("fd00::1"),
				InetAddress.getByName("fd00::2"), 6, 51000, 8080));
	}

	@Test
	void should_ignore_what_is_no_trace_line() {
		assertThat(NftMonitorTrace.parse("tracepackets-trace-ready", headers)).isNull();
		assertThat(NftMonitorTrace.parse("trace id 1 ip filter INPUT policy accept", headers).isDrop()).isFalse();
	}
}
