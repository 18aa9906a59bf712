package io.tracepackets;

import java.net.InetSocketAddress;

/**
 * A send of the test that fell short: datagrams the local kernel refused, or a TCP connection that
 * failed as unreachable or denied. What was never sent cannot be traced, so an assertion that found
 * too few packets names these ({@code PacketTrace.sendsThatFellShort()}).
 *
 * @param protocol {@code "udp"} (datagrams) or {@code "tcp"} (a connection)
 * @param sent how many went out: datagrams for UDP, 0 for a TCP connection that failed
 * @param asked how many the test asked to send: datagrams for UDP, 1 for a TCP connection
 * @param destination where they were sent
 * @param origin where they were sent from, e.g. {@code "this JVM"} or {@code "netns /run/netns/a"}
 * @param error the kernel's refusal, e.g. {@code "Network is unreachable"}
 */
public record SendShortfall(String protocol, int sent, int asked, InetSocketAddress destination, String origin,
		String error) {

	/**
	 * Whether this was a TCP connection, not datagrams.
	 *
	 * @return true for {@code "tcp"}
	 */
	public boolean isConnection() {
		return "tcp".equals(protocol);
	}
}
