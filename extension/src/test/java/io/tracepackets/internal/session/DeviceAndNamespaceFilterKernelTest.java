package io.tracepackets.internal.session;

import static io.tracepackets.PacketFilter.anyPacket;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.KernelTest;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketFilter;
import io.tracepackets.internal.window.TraceWindow;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code PacketFilter.dev} and {@code netns} select real events: two veth pairs in scope carry
 * datagrams to the same port, and the filters tell the pairs, their namespaces and their devices
 * apart as the kernel recorded them.
 */
@KernelTest
class DeviceAndNamespaceFilterKernelTest {

	@Test
	void should_select_the_events_of_one_device_and_one_namespace_among_equal_traffic() {
		try (TraceSession session = TraceSession.start(TracerOptions.defaults());
				VethNamespaces first = VethNamespaces.create();
				VethNamespaces second = VethNamespaces.create();
				TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(3))) {
			trace.scope(first.leftPath()).scope(first.rightPath()).scope(second.leftPath()).scope(second.rightPath());
			// WHEN each pair's left namespace sends to its right one's port 7420: 3 datagrams, then 2
			Traffic.fromNetnsPath(first.leftPath()).udp().to(first.rightAddress(), 7420).send(3);
			Traffic.fromNetnsPath(second.leftPath()).udp().to(second.rightAddress(), 7420).send(2);
			assertThat(trace).packets(udp().dstPort(7420)).hasCount(5);

			// THEN a namespace, a device, or both select each pair's datagrams
			assertThat(trace).packets(udp().dstPort(7420).netns(first.rightPath())).hasCount(3);
			assertThat(trace).packets(udp().dstPort(7420).netns(second.leftInode())).hasCount(2);
			assertThat(trace).packets(udp().dstPort(7420).dev(first.leftInterface())).hasCount(3);
			assertThat(trace).packets(udp().dstPort(7420).netns(second.rightPath()).dev(second.rightInterface()))
					.hasCount(2);
			// a device's name in another namespace is not that device
			assertThat(trace).packets(udp().dstPort(7420).netns(first.rightPath()).dev(first.leftInterface()))
					.areNone();

			// and the events they select are the kernel's records of that device in that namespace
			int rightIndex = Integer.parseInt(first.execInRight("cat", "/sys/class/net/" + first.rightInterface()
					+ "/ifindex").strip());
			PacketFilter rightEnd = anyPacket().netns(first.rightInode()).dev(rightIndex);
			List<PacketEvent> selected = trace.events().stream().filter(udp().dstPort(7420).and(rightEnd,
					"the first pair's right end")).toList();
			assertThat(selected).extracting(PacketEvent::where).contains("netif_rx", "netif_receive_skb");
			assertThat(selected).allSatisfy(event -> {
				assertThat(event.netns()).isEqualTo(first.rightInode());
				assertThat(event.ifindex()).isEqualTo(rightIndex);
				assertThat(event.interfaceName()).isEqualTo(first.rightInterface());
				assertThat(event.destination().getHostAddress()).isEqualTo(first.rightAddress());
			});
			assertThat(trace).packets(udp().dstPort(7420).and(rightEnd, "the first pair's right end")).hasCount(3);
		}
	}
}
