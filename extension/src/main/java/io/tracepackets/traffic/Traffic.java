package io.tracepackets.traffic;

import io.tracepackets.internal.containers.ContainerNamespaces;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.nio.file.Path;
import org.testcontainers.containers.Container;

/**
 * Entry point for generating test traffic the kernel can be watched handling:
 *
 * <pre>{@code
 * int sent = Traffic.udp().to(ip, 9000).send(5);
 * ExchangeResult echo = Traffic.tcp().to(ip, 9002).connectAndSend("hello".getBytes());
 * HttpResult page = Traffic.from(client).http().get(URI.create("http://" + ip + ":8080/"));
 * }</pre>
 *
 * Without {@code from...} traffic leaves from this JVM's network namespace (normally the host's).
 * Every operation has a bounded timeout and reports refusals and timeouts as results, not
 * exceptions, because tests assert on them.
 */
public final class Traffic {

	private Traffic() {
	}

	/**
	 * UDP datagrams from this JVM's network namespace.
	 *
	 * @return a new sender; give it a destination with {@code to(host, port)}
	 */
	public static UdpTraffic udp() {
		return Origin.thisJvm().udp();
	}

	/**
	 * TCP connections from this JVM's network namespace.
	 *
	 * @return a new sender; give it a destination with {@code to(host, port)}
	 */
	public static TcpTraffic tcp() {
		return Origin.thisJvm().tcp();
	}

	/**
	 * HTTP requests from this JVM's network namespace.
	 *
	 * @return a new client; each {@code get} names its URI
	 */
	public static HttpTraffic http() {
		return Origin.thisJvm().http();
	}

	/**
	 * Traffic from inside a running container's network namespace, as if the container sent it.
	 * Needs root (entering a namespace needs CAP_SYS_ADMIN).
	 *
	 * @param container a started Testcontainers container
	 * @return the origin, whose {@code udp()}, {@code tcp()} and {@code http()} send from inside
	 * @throws io.tracepackets.TracePacketsException when the container is not running
	 */
	public static Origin from(Container<?> container) {
		return Origin.of(ContainerNamespaces.of(container));
	}

	/**
	 * Traffic from inside the namespace at {@code path}, e.g. {@code /run/netns/blue}. Needs root.
	 *
	 * @param path a file that opens the namespace: an {@code ip netns} bind mount or a process's
	 *     {@code /proc/<pid>/ns/net}
	 * @return the origin, whose {@code udp()}, {@code tcp()} and {@code http()} send from inside
	 * @throws io.tracepackets.TracePacketsException when the path does not exist or cannot be read
	 */
	public static Origin fromNetnsPath(Path path) {
		return Origin.of(NetworkNamespace.ofPath(path));
	}
}
