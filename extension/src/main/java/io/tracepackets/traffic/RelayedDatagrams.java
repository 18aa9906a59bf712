package io.tracepackets.traffic;

import io.tracepackets.TracePacketsException;
import io.tracepackets.internal.netns.NamespaceEntry;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * UDP datagrams sent from inside a namespace this JVM cannot enter, by {@code socat} run there
 * through the namespace's {@link NamespaceEntry}: one {@code socat} per datagram, so each is one
 * {@code sendto} whose refusal (EPERM from an OUTPUT rule) is counted as {@link UdpTraffic#send}
 * counts it. Without {@code fromPort} each datagram leaves from its own ephemeral port.
 */
final class RelayedDatagrams {

	record Result(int sent, String lastFailure) {
	}

	private RelayedDatagrams() {
	}

	static Result send(NamespaceEntry entry, InetSocketAddress destination, int sourcePort, int count,
			IntFunction<byte[]> payload, Duration interval) {
		Map<String, byte[]> files = new HashMap<>();
		for (int i = 0; i < count; i++) {
			files.put(String.format("/tracepackets/udp/%08d", i), payload.apply(i));
		}
		String host = destination.getAddress().getHostAddress();
		String address = (destination.getAddress() instanceof Inet6Address ? "UDP6-SENDTO:[" + host + "]" : "UDP4-SENDTO:"
				+ host) + ":" + destination.getPort() + (sourcePort == 0 ? "" : ",sourceport=" + sourcePort + ",reuseaddr");
		String pause = interval.isZero() ? "" : "[ $first = 1 ] || sleep " + interval.toMillis() / 1000.0 + "; first=0; ";
		String script = "sent=0; first=1; failure=; for datagram in /tracepackets/udp/*; do [ -e \"$datagram\" ] || break; "
				+ pause + "if socat -u -b 65536 OPEN:\"$datagram\" '" + address + "' 2>/tmp/err; then sent=$((sent + 1));"
				+ " else failure=$(cat /tmp/err); fi; done; echo \"sent $sent\"; echo \"$failure\"";
		String out = entry.run(files, "sh", "-c", script);
		String[] lines = (out + "\n").split("\n", 2);
		if (!lines[0].startsWith("sent ")) {
			throw new TracePacketsException("sending UDP to " + destination + " through " + entry.how() + " said: " + out);
		}
		String failure = lines[1].strip();
		return new Result(Integer.parseInt(lines[0].substring(5).strip()), failure.isEmpty() ? null : failure);
	}
}
