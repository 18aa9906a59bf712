package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.tcp;
import static io.tracepackets.assertj.FakePacketTrace.START;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.tracepackets.PacketEvent;
import io.tracepackets.PacketEvents;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A SYN that Docker's bridge flooded, not having learnt the container's port yet: the copy sent to
 * another container's port leaves the traced namespaces; its twin reaches the socket. Delivered,
 * since it is one segment; but a copy that left without a delivered twin in flight beside it is
 * not.
 */
class PacketsAssert_bridgeFloodCopy_Test {

	private static final FakeProbeCatalog WITH_SOCKET_HOOK = FakeProbeCatalog.withSocketReceive();
	private static final PacketEvents SYN = PacketEvents.tcp("172.17.0.1", 44080, "172.17.0.2", 8080, 0x02);
	/** The skb itself: out of docker0, then out of the last port, another container's veth. */
	private static final PacketEvents FLOODED = SYN.skb(0xffff8882bcb10ee0L).iface(5, "docker0");
	/** The bridge's clone for the container's own port. */
	private static final PacketEvents TWIN = SYN.skb(0xffff8882bcb11000L).iface(7, "veth-netbox");

	@Test
	void a_copy_flooded_out_of_scope_beside_a_delivered_twin_is_delivered() {
		// GIVEN the flooded copy and its twin, in flight together
		FakePacketTrace trace = trace(WITH_SOCKET_HOOK, flooded(0), twin(10_000, true));

		// WHEN / THEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(tcp().dstPort(8080)).wereDelivered());
	}

	@Test
	void a_copy_that_left_alone_was_not_delivered() {
		// GIVEN the copy only: the segment went to another port and nowhere else
		FakePacketTrace trace = trace(WITH_SOCKET_HOOK, flooded(0));

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp().dstPort(8080)).wereDelivered())
				.withMessageContaining("but 1 of 1 did not");
	}

	@Test
	void a_copy_whose_twin_was_not_delivered_either_fails_with_both() {
		// GIVEN a twin that reached the container's stack but no socket
		FakePacketTrace trace = trace(WITH_SOCKET_HOOK, flooded(0), twin(10_000, false));

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp().dstPort(8080)).wereDelivered())
				.withMessageContaining("but 2 of 2 did not");
	}

	@Test
	void a_retransmission_delivered_later_does_not_excuse_the_first_copy() {
		// GIVEN the first SYN left the scope; its retransmission, a second later, was delivered
		FakePacketTrace trace = trace(WITH_SOCKET_HOOK, flooded(0), twin(1_000_000_000L, true));

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp().dstPort(8080)).wereDelivered())
				.withMessageContaining("but 1 of 2 did not");
	}

	@Test
	void a_datagram_that_went_elsewhere_is_not_excused_by_its_sibling_sent_beside_it() {
		// GIVEN two segments of one tuple, both first seen on docker0: one left for another port
		// (not a copy: it was sent so), the other was delivered
		PacketEvents sibling = SYN.skb(0xffff8882bcb12000L).iface(5, "docker0");
		long at = START + 10_000;
		List<PacketEvent> delivered = List.of(sibling.at(at, "net_dev_queue"), sibling.at(at + 1_000, "net_dev_start_xmit"),
				sibling.iface(2, "eth0").at(at + 20_000, "netif_rx"),
				sibling.iface(2, "eth0").hook(at + 40_000, PacketEvent.SOCKET_RECEIVE));
		FakePacketTrace trace = trace(WITH_SOCKET_HOOK, flooded(0), delivered);

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp().dstPort(8080)).wereDelivered())
				.withMessageContaining("but 1 of 2 did not");
	}

	@Test
	void a_copy_flooded_out_of_scope_is_counted_once_with_its_twin() {
		// GIVEN the flooded copy and its twin, which did not reach a socket: one segment all the same
		FakePacketTrace trace = trace(WITH_SOCKET_HOOK, flooded(0), twin(10_000, false));

		// WHEN / THEN one packet; the trace still shows both paths
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(tcp().dstPort(8080)).hasCount(1));
		org.assertj.core.api.Assertions.assertThat(trace.paths()).hasSize(2);
	}

	@Test
	void a_retransmission_is_counted_apart_from_the_copy_that_left() {
		// GIVEN the first SYN left the scope; its retransmission came a second later
		FakePacketTrace trace = trace(WITH_SOCKET_HOOK, flooded(0), twin(1_000_000_000L, true));

		// WHEN / THEN two packets
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(tcp().dstPort(8080)).hasCount(2));
		assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(() -> assertThat(trace).packets(tcp().dstPort(8080)).hasCount(1))
				.withMessageContaining("but found 2");
	}

	private static List<PacketEvent> flooded(long offset) {
		long at = START + offset;
		return List.of(FLOODED.at(at, "net_dev_queue"), FLOODED.at(at + 5_000, "net_dev_start_xmit"),
				FLOODED.iface(403, "veth8c2586f").at(at + 18_000, "net_dev_queue"),
				FLOODED.iface(403, "veth8c2586f").at(at + 19_000, "net_dev_start_xmit"));
	}

	private static List<PacketEvent> twin(long offset, boolean toSocket) {
		long at = START + offset;
		List<PacketEvent> received = List.of(TWIN.at(at, "net_dev_queue"), TWIN.at(at + 1_000, "net_dev_start_xmit"),
				TWIN.iface(2, "eth0").at(at + 20_000, "netif_rx"),
				TWIN.iface(2, "eth0").at(at + 25_000, "netif_receive_skb"));
		return toSocket ? java.util.stream.Stream.concat(received.stream(),
				java.util.stream.Stream.of(TWIN.iface(2, "eth0").hook(at + 40_000, PacketEvent.SOCKET_RECEIVE))).toList()
				: received;
	}
}
