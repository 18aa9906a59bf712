package io.tracepackets.traffic;

import io.tracepackets.TracePacketsException;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.netns.NamespaceEntry;
import io.tracepackets.internal.netns.NetnsRunner;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.Callable;

/**
 * Where test traffic leaves from: this JVM's network namespace, or a container's or another
 * namespace's. Obtained from {@link Traffic}; hands out senders that create their sockets there.
 */
public final class Origin {

	private static final Origin THIS_JVM = new Origin(null);

	/** Null for this JVM's own namespace: sockets are then created on the caller's thread. */
	private final NetworkNamespace netns;

	private Origin(NetworkNamespace netns) {
		this.netns = netns;
	}

	static Origin thisJvm() {
		return THIS_JVM;
	}

	static Origin of(NetworkNamespace netns) {
		// Said now, at the test's line that asks for it, rather than at the first send; a namespace
		// this JVM cannot enter but its entry can still send datagrams from (udp().send()).
		if (netns.entry().isEmpty()) {
			netns.requireReachable("sending traffic from inside");
		}
		return new Origin(netns);
	}

	/** What sends from inside the namespace when this JVM cannot enter it, else null. */
	NamespaceEntry entry() {
		return netns == null ? null : netns.entry().orElse(null);
	}

	/**
	 * UDP datagrams from here.
	 *
	 * @return a new sender whose sockets are created in this origin's namespace
	 */
	public UdpTraffic udp() {
		return new UdpTraffic(this);
	}

	/**
	 * TCP connections from here.
	 *
	 * @return a new sender whose sockets are created in this origin's namespace
	 */
	public TcpTraffic tcp() {
		return new TcpTraffic(this);
	}

	/**
	 * HTTP requests from here.
	 *
	 * @return a new sender whose sockets are created in this origin's namespace
	 */
	public HttpTraffic http() {
		return new HttpTraffic(this);
	}

	/**
	 * A UDP receiver here: a socket bound to {@code port} on every address of this origin's
	 * namespace, reading and discarding datagrams until closed.
	 *
	 * @param port the UDP port to bind
	 * @return the receiver, reading; close it to free the port
	 * @throws TracePacketsException naming the port when it cannot be bound (in use, below 1024
	 *     without the right to bind it)
	 */
	public UdpReceiver receiveUdp(int port) {
		return new UdpReceiver(inside(() -> {
			try {
				return new DatagramSocket(new InetSocketAddress(port));
			} catch (SocketException e) {
				throw new TracePacketsException("cannot receive UDP on port " + port + " in " + this + ": "
						+ e.getMessage(), e);
			}
		}));
	}

	@Override
	public String toString() {
		return netns == null ? "this JVM" : netns.toString();
	}

	/**
	 * Runs {@code action} where sockets must be created: netty creates a channel's socket in the
	 * thread that calls {@code bind} or {@code connect}, so that call has to happen in the namespace.
	 */
	<T> T inside(Callable<T> action) {
		if (netns == null) {
			try {
				return action.call();
			} catch (RuntimeException e) {
				throw e;
			} catch (Exception e) {
				throw new TracePacketsException("traffic from " + this + " failed: " + e, e);
			}
		}
		if (netns.entry().isPresent()) {
			throw new TracingUnavailableException("a socket of this JVM inside " + netns.label(), netns.whyUnreachable()
					+ ". Only udp().send() goes through " + netns.entry().get().how() + ", which sends each datagram"
					+ " with socat there; TCP, HTTP and UDP requests need a socket of this JVM in the namespace");
		}
		return NetnsRunner.call(netns, action);
	}
}
