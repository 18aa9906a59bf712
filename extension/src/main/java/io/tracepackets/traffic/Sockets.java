package io.tracepackets.traffic;

import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.tracepackets.TracePacketsException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;

/** Socket plumbing shared by the senders: address checks and channels of the right family. */
final class Sockets {

	/** Default bound on every connect, send and reply wait. */
	static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

	private Sockets() {
	}

	/** {@code host:port} resolved now, so a bad name fails at the call that named it. */
	static InetSocketAddress resolve(String host, int port) {
		checkPort(port);
		InetSocketAddress address = new InetSocketAddress(host, port);
		if (address.isUnresolved()) {
			throw new TracePacketsException("cannot resolve host " + host);
		}
		return address;
	}

	static InetSocketAddress checkTarget(InetSocketAddress target, String what) {
		if (target == null) {
			throw new IllegalStateException(what + ": no destination: call to(host, port) first");
		}
		return target;
	}

	static int checkPort(int port) {
		if (port < 0 || port > 65535) {
			throw new IllegalArgumentException("port out of range: " + port);
		}
		return port;
	}

	static Duration checkTimeout(Duration timeout) {
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("timeout must be positive: " + timeout);
		}
		return timeout;
	}

	/**
	 * A TCP channel of the target's family: the JDK default is a dual-stack IPv6 socket, which
	 * would put {@code tcp_v6_*} functions in the kernel stacks a test inspects for IPv4 traffic.
	 */
	static NioSocketChannel tcpChannel(InetSocketAddress target) {
		return new NioSocketChannel(SelectorProvider.provider(), family(target));
	}

	/** A UDP channel of the target's family (see {@link #tcpChannel}). */
	static NioDatagramChannel udpChannel(InetSocketAddress target) {
		return new NioDatagramChannel(family(target));
	}

	/** The target's protocol family, for a plain JDK channel opened where the origin is. */
	static java.net.StandardProtocolFamily familyOf(InetSocketAddress target) {
		return target.getAddress() instanceof Inet6Address ? java.net.StandardProtocolFamily.INET6
				: java.net.StandardProtocolFamily.INET;
	}

	private static SocketProtocolFamily family(InetSocketAddress target) {
		return target.getAddress() instanceof Inet6Address ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
	}

	static String describe(Throwable failure) {
		if (failure == null) {
			return "unknown failure";
		}
		String message = failure.getMessage();
		return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
	}
}
