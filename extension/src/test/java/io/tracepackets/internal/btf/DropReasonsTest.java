package io.tracepackets.internal.btf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

class DropReasonsTest {

	private static final Map<Long, String> ENUMERATORS = Map.of(
			0L, "SKB_NOT_DROPPED_YET",
			1L, "SKB_CONSUMED",
			2L, "SKB_DROP_REASON_NOT_SPECIFIED",
			3L, "SKB_DROP_REASON_NO_SOCKET",
			7L, "SKB_DROP_REASON_NETFILTER_DROP",
			9L, "SKB_DROP_REASON_SKB_CSUM",
			0xffff0000L, "SKB_DROP_REASON_SUBSYS_MASK");

	@Test
	void should_name_reasons_without_the_enum_prefix() {
		// GIVEN
		DropReasons reasons = DropReasons.of(ENUMERATORS);

		// WHEN
		String netfilter = reasons.name(7);
		String consumed = reasons.name(1);
		String unknown = reasons.name(42);

		// THEN
		assertThat(netfilter).isEqualTo("NETFILTER_DROP");
		assertThat(consumed).isEqualTo("CONSUMED");
		assertThat(unknown).isEqualTo("reason#42");
	}

	@Test
	void should_find_values_by_name_with_or_without_prefix_in_any_case() {
		// GIVEN
		DropReasons reasons = DropReasons.of(ENUMERATORS);

		// WHEN
		OptionalInt shortName = reasons.value("NETFILTER_DROP");
		OptionalInt fullName = reasons.value("SKB_DROP_REASON_NETFILTER_DROP");
		OptionalInt lowerCase = reasons.value("no_socket");
		OptionalInt nameStartingWithSkb = reasons.value("SKB_CSUM");
		OptionalInt missing = reasons.value("TCP_INVALID_ACK_SEQUENCE");

		// THEN
		assertThat(shortName).hasValue(7);
		assertThat(fullName).hasValue(7);
		assertThat(lowerCase).hasValue(3);
		assertThat(nameStartingWithSkb).hasValue(9);
		assertThat(missing).isEmpty();
	}

	@Test
	void should_list_names_by_value_leaving_out_masks_beyond_int() {
		// GIVEN
		DropReasons reasons = DropReasons.of(ENUMERATORS);

		// WHEN
		var names = reasons.names();

		// THEN
		assertThat(names).containsExactly("NOT_DROPPED_YET", "CONSUMED", "NOT_SPECIFIED", "NO_SOCKET", "NETFILTER_DROP", "SKB_CSUM");
	}

	@Test
	void should_have_no_names_on_kernels_without_the_enum() {
		// GIVEN a BTF without skb_drop_reason, as before Linux 5.17
		BtfWriter writer = new BtfWriter();
		writer.addInt("int", 4);
		Btf btf = Btf.parse(writer.build());

		// WHEN
		DropReasons reasons = DropReasons.fromBtf(btf);

		// THEN
		assertThat(reasons.isEmpty()).isTrue();
		assertThat(reasons.names()).isEmpty();
		assertThat(reasons.name(2)).isEqualTo("reason#2");
		assertThat(reasons.value("NO_SOCKET")).isEmpty();
	}

	@Test
	void should_name_a_subsystems_reasons_by_its_own_enum_and_others_by_the_subsystem() {
		// GIVEN 7.x's layout: the qdisc reasons in their own enum, SUBSYS_QDISC << 16 | n; openvswitch's
		// enum is in a module's BTF, not this one
		BtfWriter writer = new BtfWriter();
		writer.addEnum("skb_drop_reason", false, "SKB_NOT_DROPPED_YET", 0, "SKB_DROP_REASON_NO_SOCKET", 3,
				"SKB_DROP_REASON_SUBSYS_MASK", 0xffff0000);
		writer.addEnum("skb_drop_reason_subsys", false, "SKB_DROP_REASON_SUBSYS_CORE", 0,
				"SKB_DROP_REASON_SUBSYS_OPENVSWITCH", 2, "SKB_DROP_REASON_SUBSYS_QDISC", 3,
				"SKB_DROP_REASON_SUBSYS_NUM", 4);
		writer.addEnum("qdisc_drop_reason", false, "QDISC_DROP_UNSPEC", 0, "__QDISC_DROP_REASON", 0x30000,
				"QDISC_DROP_GENERIC", 0x30001, "QDISC_DROP_OVERLIMIT", 0x30002);
		Btf btf = Btf.parse(writer.build());

		// WHEN
		DropReasons reasons = DropReasons.fromBtf(btf);

		// THEN
		assertThat(reasons.name(0x30002)).isEqualTo("QDISC_DROP_OVERLIMIT");
		assertThat(reasons.value("QDISC_DROP_OVERLIMIT")).hasValue(0x30002);
		assertThat(reasons.name(0x20005)).isEqualTo("OPENVSWITCH#5");
		assertThat(reasons.name(0x50001)).isEqualTo("reason#327681");
		assertThat(reasons.name(0)).isEqualTo("NOT_DROPPED_YET");
		assertThat(reasons.names()).containsExactly("NOT_DROPPED_YET", "NO_SOCKET", "QDISC_DROP_GENERIC",
				"QDISC_DROP_OVERLIMIT");
	}
}
