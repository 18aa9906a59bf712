package io.tracepackets.internal.drops;

import static io.tracepackets.DropKind.DISCARDED_AFTER_DELIVERY;
import static io.tracepackets.DropKind.LOST;
import static io.tracepackets.DropKind.NOT_A_LOSS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.tracepackets.DropKind;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

import org.junit.jupiter.api.Test;

class DropReasonTableTest {

	private final DropReasonTable table = DropReasonTable.load();

	@Test
	void should_load_a_well_formed_table() {
		// WHEN
		var names = table.names();

		// THEN every reason has a kind, a known layer, a sentence with known placeholders and a why
		assertThat(names).hasSizeGreaterThanOrEqualTo(131).startsWith("NOT_DROPPED_YET", "CONSUMED", "NOT_SPECIFIED");
		for (String name : names) {
			DropReasonTable.Entry entry = table.entry(name).orElseThrow();
			assertThat(entry.name()).isEqualTo(name).matches("[A-Z][A-Z0-9_]*").doesNotStartWith("SKB_DROP_REASON_");
			assertThat(entry.kind()).as(name).isNotNull();
			assertThat(DropReasonTable.LAYERS).as(name).contains(entry.layer());
			assertThat(entry.sentence()).as(name).isNotBlank();
			assertThat(entry.why()).as(name).isNotBlank();
			Matcher m = DropReasonTable.PLACEHOLDER.matcher(entry.sentence());
			while (m.find()) {
				assertThat(m.group(1)).as("placeholder in %s", name).isIn("src", "dst", "proto", "dport", "dev");
			}
		}
	}

	@Test
	void should_let_the_location_decide_only_for_reasons_that_say_nothing_about_the_place() {
		// WHEN
		List<String> byLocation = table.names().stream()
				.filter(name -> table.entry(name).orElseThrow().locationDecides())
				.toList();

		// THEN
		assertThat(byLocation).containsExactly("NOT_SPECIFIED", "QUEUE_PURGE");
		assertThat(table.locationRules()).isNotEmpty().allSatisfy(rule -> {
			assertThat(rule.kind()).isIn(DISCARDED_AFTER_DELIVERY, LOST);
			assertThat(rule.function()).matches("[A-Za-z_][A-Za-z0-9_]*");
			assertThat(rule.why()).isNotBlank();
		});
	}

	@Test
	void should_count_as_lost_all_but_the_reviewed_after_delivery_and_not_a_loss_reasons() {
		// WHEN
		List<String> afterDelivery = namesOfKind(DISCARDED_AFTER_DELIVERY);
		List<String> notALoss = namesOfKind(NOT_A_LOSS);

		// THEN
		assertThat(afterDelivery).containsExactly("SOCKET_CLOSE", "UNIX_DISCONNECT", "UNIX_SKIP_OOB",
				"TCP_ABORT_ON_DATA", "TCP_CLOSE", "QUEUE_PURGE");
		assertThat(notALoss).containsExactly("NOT_DROPPED_YET", "CONSUMED", "TCP_OLD_DATA", "TCP_OFOMERGE",
				"TCP_RFC7323_PAWS_ACK", "TCP_OLD_SEQUENCE", "TCP_OFO_DROP", "DUP_FRAG", "PACKET_SOCK_ERROR", "MAX", "QDISC_DROP_MAX");
		assertThat(namesOfKind(LOST)).hasSize(table.names().size() - afterDelivery.size() - notALoss.size())
				.contains("NETFILTER_DROP", "NO_SOCKET", "IP_RPFILTER", "NEIGH_FAILED", "QDISC_DROP", "TC_INGRESS",
						"XDP", "IP_INHDR", "TCP_CSUM", "UDP_CSUM", "IP_CSUM", "NOT_SPECIFIED");
	}

	@Test
	void should_classify_by_reason_first() {
		// WHEN
		Classification netfilter = table.classify("NETFILTER_DROP", "nf_hook_slow+0x7d [nf_tables]");
		Classification atTeardown = table.classify("NETFILTER_DROP", "sk_stream_kill_queues");
		Classification oldData = table.classify("TCP_OLD_DATA", "tcp_data_queue+0x2a4");
		Classification closed = table.classify("skb_drop_reason_socket_close", null);
		Classification consumed = table.classify("SKB_CONSUMED", null);
		Classification skbCsum = table.classify("SKB_CSUM", "skb_checksum_help+0x10");

		// THEN
		assertThat(netfilter).isEqualTo(new Classification(LOST, "NETFILTER_DROP: dropped by a netfilter rule or policy"));
		assertThat(atTeardown).isEqualTo(new Classification(LOST, "NETFILTER_DROP: dropped by a netfilter rule or policy"));
		assertThat(oldData).isEqualTo(new Classification(NOT_A_LOSS, "TCP_OLD_DATA: a duplicate of data the socket already has"));
		assertThat(closed).isEqualTo(new Classification(DISCARDED_AFTER_DELIVERY,
				"SOCKET_CLOSE: the data was queued on its socket, which was closed unread"));
		assertThat(consumed).isEqualTo(new Classification(NOT_A_LOSS,
				"CONSUMED: not a drop: consumed normally (the kernel traces it as consume_skb)"));
		assertThat(skbCsum).isEqualTo(new Classification(LOST, "SKB_CSUM: freed on a checksum error"));
	}

	@Test
	void should_let_the_location_decide_for_queue_purge() {
		// WHEN
		Classification socket = table.classify("QUEUE_PURGE", "inet_sock_destruct+0x5b");
		Classification neighbour = table.classify("SKB_DROP_REASON_QUEUE_PURGE", "neigh_flush_dev+0x9a");
		Classification unknownPlace = table.classify("QUEUE_PURGE", "some_driver_purge");
		Classification noPlace = table.classify("QUEUE_PURGE", null);

		// THEN
		assertThat(socket).isEqualTo(new Classification(DISCARDED_AFTER_DELIVERY,
				"QUEUE_PURGE at inet_sock_destruct: a socket's destructor purged its receive and error queues"));
		assertThat(neighbour).isEqualTo(new Classification(LOST,
				"QUEUE_PURGE at neigh_flush_dev: packets waiting for ARP/ND were flushed as their device or address went away"));
		assertThat(unknownPlace).isEqualTo(new Classification(DISCARDED_AFTER_DELIVERY,
				"QUEUE_PURGE at some_driver_purge: the socket's receive queue was purged when it closed unread"
						+ " (the location tells a neighbour or qdisc purge, which loses)"));
		assertThat(noPlace).isEqualTo(new Classification(DISCARDED_AFTER_DELIVERY,
				"QUEUE_PURGE: the socket's receive queue was purged when it closed unread"
						+ " (the location tells a neighbour or qdisc purge, which loses)"));
	}

	@Test
	void should_let_the_location_decide_for_unspecified_and_missing_reasons() {
		// WHEN
		Classification teardown = table.classify("NOT_SPECIFIED", "sk_stream_kill_queues+0x4f");
		Classification beforeReasons = table.classify(null, "udp_destruct_common.isra.0+0x5b");
		Classification elsewhere = table.classify("NOT_SPECIFIED", "ip_rcv_core+0x1c");
		Classification nowhere = table.classify(" ", null);

		// THEN
		assertThat(teardown).isEqualTo(new Classification(DISCARDED_AFTER_DELIVERY,
				"NOT_SPECIFIED at sk_stream_kill_queues: a TCP socket was destroyed and its receive queue purged unread"));
		assertThat(beforeReasons).isEqualTo(new Classification(DISCARDED_AFTER_DELIVERY,
				"NOT_SPECIFIED at udp_destruct_common: a UDP socket was destroyed with datagrams unread"));
		assertThat(elsewhere).isEqualTo(new Classification(LOST,
				"NOT_SPECIFIED at ip_rcv_core: no reason given and no rule for this place: counted as lost"));
		assertThat(nowhere).isEqualTo(new Classification(LOST,
				"NOT_SPECIFIED: no reason given and no rule for this place: counted as lost"));
	}

	@Test
	void should_count_unknown_reasons_as_lost_until_classified() {
		// WHEN
		Classification future = table.classify("TCP_SOMETHING_NEW", "tcp_v4_rcv+0x10");
		Classification unnamed = table.classify("reason#142", null);
		Classification newQdiscReason = table.classify("QDISC_DROP_SOMETHING_NEW", null);
		Classification moduleSubsystem = table.classify("OPENVSWITCH_3", null);

		// THEN
		assertThat(future).isEqualTo(new Classification(LOST, "TCP_SOMETHING_NEW: not in TracePackets' table yet,"
				+ " so counted as lost (see its comment in the kernel's include/net/dropreason-core.h)"));
		assertThat(unnamed).isEqualTo(new Classification(LOST, "reason#142: not in TracePackets' table yet,"
				+ " so counted as lost (see its comment in the kernel's include/net/dropreason-core.h)"));
		assertThat(newQdiscReason.why()).endsWith("(see its comment in the kernel's include/net/dropreason-qdisc.h)");
		assertThat(moduleSubsystem.why()).endsWith(
				"(see its comment in the kernel's include/net/dropreason.h and the subsystem's own header)");
		assertThat(table.entry("TCP_SOMETHING_NEW")).isEmpty();
	}

	@Test
	void should_explain_with_the_packet_values() {
		// GIVEN
		Map<String, String> packet = Map.of("src", "10.0.0.1", "dst", "10.0.0.2", "proto", "udp", "dport", "9000",
				"dev", "veth0");

		// WHEN
		String noSocket = table.explain("NO_SOCKET", packet);
		String rpFilter = table.explain("ip_rpfilter", packet);
		String netfilter = table.explain("SKB_DROP_REASON_NETFILTER_DROP", packet);
		String tcEgress = table.explain("TC_EGRESS", packet);

		// THEN
		assertThat(noSocket).isEqualTo("nothing listens on 10.0.0.2 udp/9000 (or the socket is in another network namespace)");
		assertThat(rpFilter).isEqualTo("reverse-path filter: the source 10.0.0.1 is routed out of another interface"
				+ " (check rp_filter and routes)");
		assertThat(netfilter).isEqualTo("a netfilter rule or chain policy dropped it (iptables/nftables)");
		assertThat(tcEgress).isEqualTo("a tc egress filter, action or BPF program on veth0 dropped it"
				+ " (check tc filter show dev veth0 egress)");
	}

	@Test
	void should_explain_missing_values_as_question_marks() {
		// WHEN
		String neighbour = table.explain("NEIGH_FAILED", Map.of("dev", " "));
		String noSocket = table.explain("NO_SOCKET", Map.of("proto", "tcp"));

		// THEN
		assertThat(neighbour).isEqualTo("no ARP/ND answer for the next hop toward ? on ?");
		assertThat(noSocket).isEqualTo("nothing listens on ? tcp/? (or the socket is in another network namespace)");
	}

	@Test
	void should_explain_unknown_and_missing_reasons() {
		// WHEN
		String future = table.explain("TCP_SOMETHING_NEW", Map.of());
		String none = table.explain(null, Map.of());

		// THEN
		assertThat(future).isEqualTo("the kernel dropped it for reason TCP_SOMETHING_NEW, which TracePackets does"
				+ " not describe yet: see its comment in the kernel's include/net/dropreason-core.h");
		assertThat(none).isEqualTo("freed without a reason; the drop location names the kernel function that freed it:"
				+ " look there");
	}

	@Test
	void should_reject_malformed_rows_naming_the_line() {
		// GIVEN
		String good = "NOT_SPECIFIED\tLOST\tcore\tlocation\tfreed\tno reason";
		List<String> locations = List.of("# function\tkind\twhy");

		// THEN
		assertThatIllegalArgumentException()
				.isThrownBy(() -> DropReasonTable.parse(List.of(good, "XDP\tGONE\txdp\treason\tdropped\tby XDP"), locations))
				.withMessage("drop-reasons.tsv line 2: \"GONE\" is not a DropKind");
		assertThatIllegalArgumentException()
				.isThrownBy(() -> DropReasonTable.parse(List.of("# c", good, "XDP\tLOST\tkernel\treason\tdropped\tby XDP"),
						locations))
				.withMessageStartingWith("drop-reasons.tsv line 3: \"kernel\" is not a layer of ");
		assertThatIllegalArgumentException()
				.isThrownBy(() -> DropReasonTable.parse(List.of(good, "XDP\tLOST\txdp\treason\ton {iface}\tby XDP"),
						locations))
				.withMessageStartingWith("drop-reasons.tsv line 2: unknown placeholder {iface}, allowed: ");
		assertThatIllegalArgumentException()
				.isThrownBy(() -> DropReasonTable.parse(List.of(good, "XDP\tLOST\txdp\treason\tdropped"), locations))
				.withMessage("drop-reasons.tsv line 2: 5 tab-separated columns, expected 6: XDP\tLOST\txdp\treason\tdropped");
		assertThatIllegalArgumentException()
				.isThrownBy(() -> DropReasonTable.parse(List.of(good, good), locations))
				.withMessage("drop-reasons.tsv line 2: NOT_SPECIFIED is listed twice");
		assertThatIllegalArgumentException()
				.isThrownBy(() -> DropReasonTable.parse(List.of(good), List.of("tcp_close+0x10\tLOST\tclosed")))
				.withMessage("drop-locations.tsv line 1: \"tcp_close+0x10\" is not a bare function name (no offset,"
						+ " module or suffix)");
	}

	private List<String> namesOfKind(DropKind kind) {
		return table.names().stream().filter(name -> table.entry(name).orElseThrow().kind() == kind).toList();
	}
}
