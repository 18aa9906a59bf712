package io.tracepackets.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.netns.NamespaceEntry;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Traffic from a namespace this JVM cannot enter: what goes through its entry (datagrams, sent
 * there by socat) and what cannot (sockets of this JVM), said precisely. The entry is a fake that
 * records the command and answers as the shell script there would: the real one runs in
 * scripts/ci-layouts (layouts B and C).
 */
class TrafficThroughAnEntryTest {

	private final List<Map<String, byte[]>> filesSent = new ArrayList<>();
	private final List<String> scripts = new ArrayList<>();
	private String answer = "sent 2\n\n";

	private final NamespaceEntry entry = new NamespaceEntry() {
		@Override
		public String how() {
			return "a helper container sharing the network namespace of container web";
		}

		@Override
		public String run(Map<String, byte[]> files, String... command) {
			filesSent.add(files);
			scripts.add(command[command.length - 1]);
			return answer;
		}

		@Override
		public Closeable stream(String ready, Consumer<String> lines, String... command) {
			throw new UnsupportedOperationException();
		}
	};

	private final NetworkNamespace unenterable = NetworkNamespace.unreachable(4026532999L, "container web",
			"this JVM cannot enter the network namespace of container web (inode 4026532999)").withEntry(entry);

	@Test
	void datagrams_are_sent_there_one_socat_each_with_their_payloads() {
		int sent = Origin.of(unenterable).udp().to("10.0.0.9", 9000).fromPort(4000).payload(i -> ("p" + i).getBytes(
				StandardCharsets.US_ASCII)).send(2);

		assertThat(sent).isEqualTo(2);
		assertThat(filesSent.getFirst()).containsOnlyKeys("/tracepackets/udp/00000000", "/tracepackets/udp/00000001");
		assertThat(new String(filesSent.getFirst().get("/tracepackets/udp/00000001"), StandardCharsets.US_ASCII))
				.isEqualTo("p1");
		assertThat(scripts.getFirst()).contains("'UDP4-SENDTO:10.0.0.9:9000,sourceport=4000,reuseaddr'");
	}

	@Test
	void a_refused_datagram_is_not_counted_and_says_why() {
		answer = "sent 0\nsocat[7] E sendto(5, 0x5580, 2, 0, AF=2 10.0.0.9:9000, 16): Operation not permitted\n";
		UdpTraffic udp = Origin.of(unenterable).udp().to("10.0.0.9", 9000);

		assertThat(udp.send(2)).isZero();
		assertThat(udp.lastFailure()).endsWith("Operation not permitted");
	}

	@Test
	void what_needs_a_socket_of_this_jvm_there_is_refused_with_the_reason() {
		assertThatThrownBy(() -> Origin.of(unenterable).tcp().to("10.0.0.9", 9002).connectAndSend("x"))
				.isInstanceOf(TracingUnavailableException.class)
				.hasMessageContaining("a socket of this JVM inside container web unavailable: this JVM cannot enter the"
						+ " network namespace of container web (inode 4026532999). Only udp().send() goes through a helper"
						+ " container sharing the network namespace of container web");
	}
}
