package io.tracepackets.internal.drops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.tracepackets.internal.drops.CulpritTable.Culprit;
import java.util.List;
import org.junit.jupiter.api.Test;

class CulpritTableTest {

	private final CulpritTable table = CulpritTable.load();

	@Test
	void every_reason_the_table_names_is_a_reason_of_the_drop_reason_table() {
		// WHEN
		List<String> reasons = table.rows().stream().flatMap(row -> row.reasons().stream()).toList();

		// THEN
		assertThat(reasons).isNotEmpty().allSatisfy(reason -> assertThat(DropReasonTable.load().entry(reason))
				.as(reason).isPresent());
	}

	@Test
	void a_netfilter_drop_is_netfilters_by_its_reason_or_where_a_reasonless_kernel_freed_it() {
		assertThat(table.suspect("NETFILTER_DROP", "nft_do_chain")).map(CulpritTable.Row::culprit).contains(Culprit.NETFILTER);
		assertThat(table.suspect("NETFILTER_DROP", null)).map(CulpritTable.Row::culprit).contains(Culprit.NETFILTER);
		assertThat(table.suspect("NOT_SPECIFIED", "nf_hook_slow")).map(CulpritTable.Row::culprit).contains(Culprit.NETFILTER);
		assertThat(table.suspect("NOT_SPECIFIED", "ip_rcv_core")).isEmpty();
		assertThat(table.suspect("NOT_SPECIFIED", null)).isEmpty();
	}

	@Test
	void a_tc_drop_is_the_programs_at_its_hook() {
		assertThat(table.suspect("TC_INGRESS", "__netif_receive_skb_core")).hasValueSatisfying(row -> {
			assertThat(row.culprit()).isEqualTo(Culprit.TC);
			assertThat(row.at()).isEqualTo("ingress");
		});
		assertThat(table.suspect("TC_EGRESS", null)).map(CulpritTable.Row::at).contains("egress");
	}

	@Test
	void an_xdp_drop_is_the_programs_in_the_mode_whose_code_freed_it() {
		// veth's native path and generic XDP, whatever the reason; the XDP reason elsewhere, any mode
		assertThat(table.suspect("NOT_SPECIFIED", "veth_xdp_rcv_skb")).map(CulpritTable.Row::at).contains("native");
		assertThat(table.suspect("XDP", "do_xdp_generic")).map(CulpritTable.Row::at).contains("generic");
		assertThat(table.suspect(null, "veth_poll")).map(CulpritTable.Row::at).contains("native");
		assertThat(table.suspect("XDP", "some_driver_rx")).hasValueSatisfying(row -> {
			assertThat(row.culprit()).isEqualTo(Culprit.XDP);
			assertThat(row.at()).isNull();
		});
		assertThat(table.suspect("NO_SOCKET", "__udp4_lib_rcv")).isEmpty();
	}

	@Test
	void a_malformed_row_is_refused_with_its_line() {
		assertThatIllegalArgumentException().isThrownBy(() -> CulpritTable.parse(List.of("XDP\t*\tbpf\t-\tnone at {dev}")))
				.withMessage("drop-culprits.tsv line 1: \"bpf\" is not a culprit: netfilter, tc or xdp");
		assertThatIllegalArgumentException().isThrownBy(() -> CulpritTable.parse(List.of("# c", "TC_INGRESS\t*\ttc\t-\tnone at {dev}")))
				.withMessage("drop-culprits.tsv line 2: \"-\" is not a place of a tc culprit, one of [ingress, egress]");
		assertThatIllegalArgumentException().isThrownBy(() -> CulpritTable.parse(List.of("XDP,*\t*\txdp\t-\tnone at {dev}")))
				.withMessageStartingWith("drop-culprits.tsv line 1: the reasons \"XDP,*\" is not * nor");
		assertThatIllegalArgumentException().isThrownBy(() -> CulpritTable.parse(List.of("XDP\t*\txdp\t-")))
				.withMessageStartingWith("drop-culprits.tsv line 1: 4 tab-separated columns, expected 5");
		assertThatIllegalArgumentException().isThrownBy(() -> CulpritTable.parse(List.of("XDP\t*\txdp\t-\t-")))
				.withMessageStartingWith("drop-culprits.tsv line 1: the none column is - for netfilter alone");
		assertThatIllegalArgumentException().isThrownBy(() -> CulpritTable.parse(List.of("XDP\t*\txdp\t-\tat {iface}")))
				.withMessageStartingWith("drop-culprits.tsv line 1: the none column is - for netfilter alone, and else a"
						+ " sentence whose only placeholder is {dev}");
	}
}
