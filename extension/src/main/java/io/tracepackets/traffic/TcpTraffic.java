package io.tracepackets.traffic;

import io.tracepackets.SendShortfall;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.tracepackets.TracePacketsException;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opens TCP connections to one destination:
 * {@code Traffic.tcp().to(ip, 9002).connectAndSend(bytes)}. A builder: configure, then
 * {@link #connect()} or {@link #connectAndSend}; not for concurrent use.
 */
public final class TcpTraffic {

	private static final byte[] NOTHING = new byte[0];

	private final Origin origin;
	private InetSocketAddress target;
	private int sourcePort;
	private Duration timeout = Sockets.DEFAULT_TIMEOUT;

	TcpTraffic(Origin origin) {
		this.origin = origin;
	}

	/**
	 * Where to send: a host and port.
	 *
	 * @param host an IP literal or a host name, resolved now
	 * @param port the destination port
	 * @return this sender, for chaining
	 * @throws TracePacketsException when {@code host} cannot be resolved
	 */
	public TcpTraffic to(String host, int port) {
		target = Sockets.resolve(host, port);
		return this;
	}

	/**
	 * Where to send: an address and port.
	 *
	 * @param address the destination; its family (IPv4 or IPv6) is the socket's
	 * @param port the destination port
	 * @return this sender, for chaining
	 */
	public TcpTraffic to(InetAddress address, int port) {
		target = new InetSocketAddress(address, Sockets.checkPort(port));
		return this;
	}

	/**
	 * Where to send: a socket address.
	 *
	 * @param address the destination address and port, used as given
	 * @return this sender, for chaining
	 */
	public TcpTraffic to(InetSocketAddress address) {
		target = address;
		return this;
	}

	/**
	 * Connects from this local port (default: one the kernel picks).
	 *
	 * @param port the local port; 0 lets the kernel pick one, as by default
	 * @return this sender, for chaining
	 */
	public TcpTraffic fromPort(int port) {
		sourcePort = Sockets.checkPort(port);
		return this;
	}

	/**
	 * Bound on the connect and, separately, on the wait for a reply (default 5 s each).
	 *
	 * @param limit positive, e.g. {@code Duration.ofSeconds(1)} to give up sooner on a DROP rule
	 * @return this sender, for chaining
	 * @throws IllegalArgumentException when {@code limit} is zero or negative
	 */
	public TcpTraffic timeout(Duration limit) {
		timeout = Sockets.checkTimeout(limit);
		return this;
	}

	/**
	 * Connects and closes at once: completes when the handshake does.
	 *
	 * @return {@link Outcome#COMPLETED} with nothing sent or received, or how the connect failed
	 */
	public ExchangeResult connect() {
		return exchange(NOTHING);
	}

	/**
	 * Connects, sends {@code bytes}, and waits until as many bytes came back (an echo), the peer
	 * closes, or the timeout passes (then {@link Outcome#TIMED_OUT}, with what did arrive).
	 *
	 * @param bytes what to send; copied, and empty behaves like {@link #connect()}
	 * @return what was sent and received, and how the exchange ended; never null
	 */
	public ExchangeResult connectAndSend(byte[] bytes) {
		return exchange(bytes.clone());
	}

	/**
	 * {@link #connectAndSend(byte[])} with UTF-8 text.
	 *
	 * @param text e.g. {@code "hello"}, sent encoded as UTF-8
	 * @return what was sent and received, and how the exchange ended
	 */
	public ExchangeResult connectAndSend(String text) {
		return connectAndSend(text.getBytes(StandardCharsets.UTF_8));
	}

	private ExchangeResult exchange(byte[] payload) {
		InetSocketAddress destination = Sockets.checkTarget(target, "TCP traffic");
		long start = System.nanoTime();
		Collector collector = new Collector(payload.length);
		Bootstrap bootstrap = new Bootstrap()
				.group(EventLoops.group())
				.channelFactory(() -> Sockets.tcpChannel(destination))
				.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
				.option(ChannelOption.SO_REUSEADDR, sourcePort != 0)
				.handler(collector);
		// connect() creates the socket, so it runs inside the origin's namespace.
		ChannelFuture connected = origin.inside(() -> sourcePort == 0 ? bootstrap.connect(destination)
				: bootstrap.connect(destination, new InetSocketAddress(sourcePort)));
		Channel channel = connected.channel();
		try {
			// Netty enforces the connect timeout itself; the extra second only guards against a hang.
			if (!connected.awaitUninterruptibly(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
				return failed(Outcome.TIMED_OUT, payload, collector, "connect timed out after " + timeout, start);
			}
			if (!connected.isSuccess()) {
				Outcome outcome = Outcome.of(connected.cause());
				if (outcome == Outcome.UNREACHABLE || outcome == Outcome.DENIED) {
					// No route, or the sender's own OUTPUT chain: there may be no packet to trace at all.
					SendShortfalls.record(new SendShortfall("tcp", 0, 1, destination, origin.toString(),
							Sockets.describe(connected.cause())));
				}
				return failed(outcome, payload, collector, Sockets.describe(connected.cause()), start);
			}
			if (payload.length == 0) {
				return new ExchangeResult(Outcome.COMPLETED, payload, NOTHING, null, since(start));
			}
			ChannelFuture written = channel.writeAndFlush(Unpooled.wrappedBuffer(payload));
			if (!written.awaitUninterruptibly(timeout.toMillis(), TimeUnit.MILLISECONDS) || !written.isSuccess()) {
				Throwable cause = written.cause();
				return failed(cause == null ? Outcome.TIMED_OUT : Outcome.of(cause), payload, collector,
						cause == null ? "send timed out after " + timeout : Sockets.describe(cause), start);
			}
			try {
				collector.done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
				return new ExchangeResult(Outcome.COMPLETED, payload, collector.bytes(), null, since(start));
			} catch (TimeoutException e) {
				return failed(Outcome.TIMED_OUT, payload, collector, "connected and sent " + payload.length
						+ " bytes, but got " + collector.bytes().length + " back within " + timeout, start);
			} catch (ExecutionException e) {
				return failed(Outcome.of(e.getCause()), payload, collector, Sockets.describe(e.getCause()), start);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new TracePacketsException("interrupted waiting for a reply from " + destination, e);
			}
		} finally {
			channel.close().awaitUninterruptibly(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	private static ExchangeResult failed(Outcome outcome, byte[] sent, Collector collector, String why, long start) {
		return new ExchangeResult(outcome, sent, collector.bytes(), why, since(start));
	}

	private static Duration since(long start) {
		return Duration.ofNanos(System.nanoTime() - start);
	}

	/** Gathers the reply; done when {@code expected} bytes arrived or the peer closed. */
	private static final class Collector extends ChannelInboundHandlerAdapter {
		final CompletableFuture<Void> done = new CompletableFuture<>();
		private final ByteArrayOutputStream received = new ByteArrayOutputStream();
		private final int expected;

		Collector(int expected) {
			this.expected = expected;
		}

		synchronized byte[] bytes() {
			return received.toByteArray();
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			ByteBuf buf = (ByteBuf) msg;
			try {
				synchronized (this) {
					buf.readBytes(received, buf.readableBytes());
				}
			} catch (java.io.IOException e) {
				done.completeExceptionally(e);
			} finally {
				buf.release();
			}
			if (bytes().length >= expected) {
				done.complete(null);
			}
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			done.complete(null);
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			done.completeExceptionally(cause);
			ctx.close();
		}
	}

	@Override
	public String toString() {
		return "TCP from " + origin + " to " + target;
	}
}
