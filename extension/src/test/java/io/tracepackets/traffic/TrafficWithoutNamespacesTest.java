package io.tracepackets.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracepackets.TracePacketsException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Traffic from this JVM's own namespace, and misuse: no root needed (TrafficTest crosses namespaces). */
class TrafficWithoutNamespacesTest {

	@Test
	void udpFromThisJvmUsesTheHostNamespace() throws IOException {
		try (DatagramChannel receiver = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
			receiver.socket().setSoTimeout(5000);
			int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();

			assertThat(Traffic.udp().to("127.0.0.1", port).send(3)).isEqualTo(3);
			assertThat(TrafficTest.receive(receiver, 3)).hasSize(3);
		}
	}

	@Test
	void aFloodSendsForItsDurationAndReturnsWhatTheKernelAccepted() throws IOException {
		try (DatagramChannel receiver = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
			receiver.configureBlocking(false);
			int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();

			long started = System.nanoTime();
			long sent = Traffic.udp().to("127.0.0.1", port).payload("x").flood(java.time.Duration.ofMillis(100));

			assertThat(System.nanoTime() - started).as("nanoseconds flooding").isGreaterThanOrEqualTo(100_000_000L);
			assertThat(sent).isPositive();
			assertThat(receiver.receive(java.nio.ByteBuffer.allocate(16))).as("a datagram received").isNotNull();
		}
	}

	@Test
	void misuseFailsWithAClearMessage() {
		assertThatThrownBy(() -> Traffic.udp().to("127.0.0.1", 9).flood(java.time.Duration.ZERO))
				.isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a duration above zero");
		assertThatThrownBy(() -> Traffic.udp().send(1)).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("call to(host, port) first");
		assertThatThrownBy(() -> Traffic.tcp().to("no-such-host.invalid", 1)).isInstanceOf(TracePacketsException.class)
				.hasMessageContaining("cannot resolve host no-such-host.invalid");
		assertThatThrownBy(() -> Traffic.http().get("https://example.org/")).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> Traffic.fromNetnsPath(Path.of("/run/netns/tp-none"))).isInstanceOf(
				TracePacketsException.class).hasMessageContaining("is not running");
	}
}
