package io.tracepackets.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.KernelTest;
import io.tracepackets.PacketEvent;
import io.tracepackets.internal.window.TraceWindow;
import io.tracepackets.testing.VethNamespaces;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Buffers that carry no packet pass the probes too: a netlink message, freed with
 * {@code consume_skb} in the namespace of the socket that read it, has no protocol, and its first
 * bytes (a little-endian length of 64 to 79) start like an IPv4 header. Such an skb must not be
 * decoded as an IPv4 packet (it once showed as {@code 0.0.0.0 → 2.0.0.0} in the pcapng).
 */
@KernelTest
class NotAPacketKernelTest {

	@Test
	void should_decode_no_ip_header_from_netlink_messages() throws Exception {
		VethNamespaces veth = VethNamespaces.create();
		try (veth; TraceSession session = TraceSession.start(TracerOptions.defaults());
				TraceWindow trace = TraceWindow.open(session, Duration.ofSeconds(3))) {
			trace.scope(veth.leftPath());
			// GIVEN netlink dumps answered in the traced namespace: links, addresses, routes, neighbours
			for (int i = 0; i < 5; i++) {
				for (String object : List.of("link", "addr", "route", "neigh")) {
					veth.execInLeft("ip", object, "show");
				}
			}
			veth.execInLeft("busybox", "ping", "-c", "1", "-W", "2", veth.rightAddress());

			// WHEN the trace is read
			trace.flush();
			List<PacketEvent> events = trace.events();

			// THEN the netlink buffers were traced (they are in scope), but none of them as an IP packet
			List<PacketEvent> noProtocol = events.stream().filter(e -> e.etherType() == 0 && e.ipVersion() == 0).toList();
			assertThat(noProtocol).as("netlink buffers traced in the namespace").isNotEmpty();
			assertThat(events).filteredOn(e -> e.ipVersion() == 4)
					.as("IPv4 events: only the ping's, between the two veth ends")
					.isNotEmpty()
					.allSatisfy(e -> assertThat(List.of(e.source().getHostAddress(), e.destination().getHostAddress()))
							.as(e.toString()).containsExactlyInAnyOrder(veth.leftAddress(), veth.rightAddress()));
		}
	}
}
