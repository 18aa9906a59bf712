package io.tracepackets.traffic;

import io.tracepackets.SendShortfall;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.tracepackets.TracePacketsException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Sends UDP datagrams to one destination: {@code Traffic.udp().to(ip, 9000).send(5)}. A builder:
 * configure, then {@link #send}; not for concurrent use.
 */
public final class UdpTraffic {

	private final Origin origin;
	private InetSocketAddress target;
	private IntFunction<byte[]> payload = i -> ("tracepackets " + i + "\n").getBytes(StandardCharsets.US_ASCII);
	private int sourcePort;
	private Duration interval = Duration.ZERO;
	private Duration timeout = Sockets.DEFAULT_TIMEOUT;
	private String lastFailure;

	UdpTraffic(Origin origin) {
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
	public UdpTraffic to(String host, int port) {
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
	public UdpTraffic to(InetAddress address, int port) {
		target = new InetSocketAddress(address, Sockets.checkPort(port));
		return this;
	}

	/**
	 * Where to send: a socket address.
	 *
	 * @param address the destination address and port, used as given
	 * @return this sender, for chaining
	 */
	public UdpTraffic to(InetSocketAddress address) {
		target = address;
		return this;
	}

	/**
	 * The same payload for every datagram. The default is {@code "tracepackets <n>\n"}, n counting
	 * from 0, so a receiver that logs lines can count datagrams.
	 *
	 * @param bytes the payload; copied, so later changes to the array do not show
	 * @return this sender, for chaining
	 */
	public UdpTraffic payload(byte[] bytes) {
		byte[] copy = bytes.clone();
		payload = i -> copy;
		return this;
	}

	/**
	 * The same text payload (UTF-8) for every datagram.
	 *
	 * @param text e.g. {@code "ping"}, sent encoded as UTF-8
	 * @return this sender, for chaining
	 */
	public UdpTraffic payload(String text) {
		return payload(text.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * A payload per datagram, given its index (0-based).
	 *
	 * @param payloadOfIndex called once per datagram, on the thread that sends, with 0 to count - 1:
	 *     {@code i -> ("msg " + i).getBytes()}
	 * @return this sender, for chaining
	 */
	public UdpTraffic payload(IntFunction<byte[]> payloadOfIndex) {
		payload = payloadOfIndex;
		return this;
	}

	/**
	 * Sends from this local port (default: one the kernel picks), to make the flow easy to match.
	 *
	 * @param port the local port; 0 lets the kernel pick one, as by default
	 * @return this sender, for chaining
	 */
	public UdpTraffic fromPort(int port) {
		sourcePort = Sockets.checkPort(port);
		return this;
	}

	/**
	 * Pause between datagrams (default none).
	 *
	 * @param pause slept between two datagrams, e.g. {@code Duration.ofMillis(10)} to stay under a
	 *     rate limit; {@link Duration#ZERO} sends them back to back
	 * @return this sender, for chaining
	 */
	public UdpTraffic interval(Duration pause) {
		interval = pause;
		return this;
	}

	/**
	 * Bound on binding the socket and on each send (default 5 s).
	 *
	 * @param limit positive, e.g. {@code Duration.ofMillis(500)}; a datagram whose send takes longer
	 *     counts as not sent
	 * @return this sender, for chaining
	 * @throws IllegalArgumentException when {@code limit} is zero or negative
	 */
	public UdpTraffic timeout(Duration limit) {
		timeout = Sockets.checkTimeout(limit);
		return this;
	}

	/**
	 * Sends one datagram; true when the local kernel accepted it.
	 *
	 * @return false when it was refused locally; {@link #lastFailure()} says why
	 * @throws TracePacketsException when no socket can be bound
	 */
	public boolean send() {
		return send(1) == 1;
	}

	/**
	 * Sends {@code count} datagrams and returns how many the local kernel accepted. A datagram
	 * dropped further on still counts as sent; one refused locally (e.g. EPERM from an OUTPUT DROP
	 * rule) does not, and {@link #lastFailure()} says why.
	 *
	 * @param count how many datagrams, 0 or more
	 * @return how many the local kernel accepted, from 0 to {@code count}
	 * @throws TracePacketsException when no socket can be bound
	 */
	public int send(int count) {
		InetSocketAddress destination = Sockets.checkTarget(target, "UDP traffic");
		if (origin.entry() != null) {
			RelayedDatagrams.Result result = RelayedDatagrams.send(origin.entry(), destination, sourcePort, count,
					payload, interval);
			lastFailure = result.lastFailure();
			return result.sent();
		}
		Bootstrap bootstrap = new Bootstrap()
				.group(EventLoops.group())
				.channelFactory(() -> Sockets.udpChannel(destination))
				.handler(new DiscardReplies());
		// The socket is created by bind(), so bind() runs inside the origin's namespace.
		ChannelFuture bound = origin.inside(() -> bootstrap.bind(sourcePort));
		if (!bound.awaitUninterruptibly(timeout.toMillis(), TimeUnit.MILLISECONDS) || !bound.isSuccess()) {
			bound.channel().close();
			throw new TracePacketsException("cannot bind a UDP socket (port " + sourcePort + ") in " + origin + ": "
					+ (bound.isDone() ? Sockets.describe(bound.cause()) : "timed out after " + timeout), bound.cause());
		}
		Channel channel = bound.channel();
		int sent = 0;
		lastFailure = null;
		try {
			for (int i = 0; i < count; i++) {
				if (i > 0 && !interval.isZero()) {
					pause();
				}
				ChannelFuture write = channel.writeAndFlush(
						new DatagramPacket(Unpooled.wrappedBuffer(payload.apply(i)), destination));
				if (write.awaitUninterruptibly(timeout.toMillis(), TimeUnit.MILLISECONDS) && write.isSuccess()) {
					sent++;
				} else {
					lastFailure = write.isDone() ? Sockets.describe(write.cause()) : "send timed out after " + timeout;
				}
			}
		} finally {
			channel.close().awaitUninterruptibly(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		if (sent < count) {
			SendShortfalls.record(new SendShortfall("udp", sent, count, destination, origin.toString(), lastFailure));
		}
		return sent;
	}

	/**
	 * Sends datagrams as fast as one thread can for {@code duration}, and returns how many the local
	 * kernel accepted: the load of a load test, whose answers the kernel's exact counts give
	 * ({@code assertThat(trace).drops().withReason(NO_SOCKET).hasCount(sent)}). One blocking socket,
	 * one {@code sendto} per datagram (a few hundred thousand a second on a veth pair, the receive
	 * path included); every datagram carries payload 0 ({@link #payload}); the interval is not used.
	 * A datagram refused locally (e.g. EPERM from an OUTPUT DROP rule) is not counted, and
	 * {@link #lastFailure()} says why.
	 *
	 * @param duration how long to send, more than zero
	 * @return how many datagrams the local kernel accepted
	 * @throws TracePacketsException when no socket can be opened in the origin's namespace
	 */
	public long flood(Duration duration) {
		if (duration == null || duration.isNegative() || duration.isZero()) {
			throw new IllegalArgumentException("flood(duration): a duration above zero, e.g. Duration.ofSeconds(2); got "
					+ duration);
		}
		InetSocketAddress destination = Sockets.checkTarget(target, "UDP traffic");
		ByteBuffer datagram = ByteBuffer.wrap(payload.apply(0));
		long sent = 0;
		long refused = 0;
		lastFailure = null;
		try (DatagramChannel channel = origin.inside(() -> DatagramChannel.open(Sockets.familyOf(destination)))) {
			channel.bind(new InetSocketAddress(sourcePort));
			long deadline = System.nanoTime() + duration.toNanos();
			while (System.nanoTime() < deadline) {
				datagram.rewind();
				try {
					if (channel.send(datagram, destination) > 0) {
						sent++;
					}
				} catch (IOException refusedLocally) {
					refused++;
					lastFailure = Sockets.describe(refusedLocally);
				}
			}
		} catch (IOException e) {
			throw new TracePacketsException("cannot open a UDP socket (port " + sourcePort + ") in " + origin + ": "
					+ Sockets.describe(e), e);
		}
		if (refused > 0) {
			SendShortfalls.record(new SendShortfall("udp", (int) Math.min(Integer.MAX_VALUE, sent),
					(int) Math.min(Integer.MAX_VALUE, sent + refused), destination, origin.toString(), lastFailure));
		}
		return sent;
	}

	/**
	 * Why the last {@link #send} fell short, or null when every datagram went out.
	 *
	 * @return the error text of the last datagram refused in that call, or
	 *     {@code "send timed out after PT5S"}; null also before the first send
	 */
	public String lastFailure() {
		return lastFailure;
	}

	private void pause() {
		try {
			Thread.sleep(interval);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new TracePacketsException("interrupted between UDP datagrams", e);
		}
	}

	/** Drops anything sent back: the senders only send, and unread datagrams would pile up. */
	/**
	 * Sends one datagram ({@link #payload} number 0) from a connected socket and waits for the
	 * first datagram back: a request and its response, as a DNS or echo client does. A connected
	 * socket hears the ICMP port unreachable that a closed port answers, so that is
	 * {@link Outcome#REFUSED}, not a timeout.
	 *
	 * @return what was sent and the first reply, or how the exchange failed; never null
	 * @throws TracePacketsException when no socket can be created in the origin's namespace
	 */
	public ExchangeResult request() {
		InetSocketAddress destination = Sockets.checkTarget(target, "UDP traffic");
		byte[] request = payload.apply(0).clone();
		long start = System.nanoTime();
		java.util.concurrent.CompletableFuture<byte[]> reply = new java.util.concurrent.CompletableFuture<>();
		Bootstrap bootstrap = new Bootstrap()
				.group(EventLoops.group())
				.channelFactory(() -> Sockets.udpChannel(destination))
				.handler(new FirstReply(reply));
		// connect() creates the socket, so it runs inside the origin's namespace.
		ChannelFuture connected = origin.inside(() -> sourcePort == 0 ? bootstrap.connect(destination)
				: bootstrap.connect(destination, new InetSocketAddress(sourcePort)));
		Channel channel = connected.channel();
		try {
			if (!connected.awaitUninterruptibly(timeout.toMillis(), TimeUnit.MILLISECONDS) || !connected.isSuccess()) {
				throw new TracePacketsException("cannot create a UDP socket for " + destination + " in " + origin + ": "
						+ (connected.isDone() ? Sockets.describe(connected.cause()) : "timed out after " + timeout),
						connected.cause());
			}
			ChannelFuture written = channel.writeAndFlush(Unpooled.wrappedBuffer(request));
			if (!written.awaitUninterruptibly(timeout.toMillis(), TimeUnit.MILLISECONDS) || !written.isSuccess()) {
				Throwable cause = written.cause();
				return new ExchangeResult(cause == null ? Outcome.TIMED_OUT : Outcome.of(cause), request, new byte[0],
						cause == null ? "send timed out after " + timeout : Sockets.describe(cause), since(start));
			}
			try {
				byte[] received = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
				return new ExchangeResult(Outcome.COMPLETED, request, received, null, since(start));
			} catch (java.util.concurrent.TimeoutException e) {
				return new ExchangeResult(Outcome.TIMED_OUT, request, new byte[0], "sent " + request.length
						+ " bytes, but no datagram came back within " + timeout, since(start));
			} catch (java.util.concurrent.ExecutionException e) {
				return new ExchangeResult(Outcome.of(e.getCause()), request, new byte[0], Sockets.describe(e.getCause()),
						since(start));
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new TracePacketsException("interrupted waiting for a reply from " + destination, e);
			}
		} finally {
			channel.close().awaitUninterruptibly(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	private static java.time.Duration since(long start) {
		return java.time.Duration.ofNanos(System.nanoTime() - start);
	}

	/** Completes with the first datagram's bytes, or with the socket's error (ICMP unreachable). */
	private static final class FirstReply extends SimpleChannelInboundHandler<DatagramPacket> {

		private final java.util.concurrent.CompletableFuture<byte[]> reply;

		FirstReply(java.util.concurrent.CompletableFuture<byte[]> reply) {
			this.reply = reply;
		}

		@Override
		protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
			byte[] bytes = new byte[packet.content().readableBytes()];
			packet.content().readBytes(bytes);
			reply.complete(bytes);
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			reply.completeExceptionally(cause);
		}
	}

	private static final class DiscardReplies extends SimpleChannelInboundHandler<DatagramPacket> {
		@Override
		protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
		}
	}

	@Override
	public String toString() {
		return "UDP from " + origin + " to " + target;
	}
}
