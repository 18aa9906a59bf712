package io.tracepackets;

import static org.assertj.core.api.BDDAssertions.then;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelCountsTest {

	@Test
	void should_order_points_and_drops_by_count_and_sum_the_drops() {
		// GIVEN
		KernelCounts counts = KernelCounts.of(Map.of("netif_rx", 3L, "net_dev_queue", 9L, "consume_skb", 0L),
				List.of(new DropCount(1, DropReason.NO_SOCKET, DropKind.LOST, "__udp4_lib_rcv+0x5f8", 2),
						new DropCount(1, DropReason.NETFILTER_DROP, DropKind.LOST, "nft_do_chain+0x46f [nf_tables]", 5)),
				0);

		// THEN
		then(counts.byHook()).containsExactly(Map.entry("net_dev_queue", 9L), Map.entry("netif_rx", 3L));
		then(counts.at("netif_rx")).isEqualTo(3);
		then(counts.at("consume_skb")).isZero();
		then(counts.drops()).extracting(DropCount::reason).containsExactly(DropReason.NETFILTER_DROP,
				DropReason.NO_SOCKET);
		then(counts.drops()).extracting(DropCount::locationFunction).containsExactly("nft_do_chain", "__udp4_lib_rcv");
		then(counts.dropTotal()).isEqualTo(7);
		then(counts.uncounted()).isZero();
	}

	@Test
	void should_say_nothing_was_counted() {
		then(KernelCounts.none()).hasToString("(nothing counted)");
	}
}
