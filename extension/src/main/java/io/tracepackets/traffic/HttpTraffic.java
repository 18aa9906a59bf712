package io.tracepackets.traffic;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.tracepackets.TracePacketsException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Issues plain HTTP/1.1 GET requests: {@code Traffic.http().get(URI.create("http://ip:8080/"))}.
 * One connection per request, closed after the response; no TLS, no redirects.
 */
public final class HttpTraffic {

	/** Responses larger than this fail: test endpoints answer with a few bytes. */
	private static final int MAX_RESPONSE_BYTES = 1 << 20;

	private final Origin origin;
	private Duration timeout = Sockets.DEFAULT_TIMEOUT;

	HttpTraffic(Origin origin) {
		this.origin = origin;
	}

	/**
	 * Bound on the connect and, separately, on the wait for the response (default 5 s each).
	 *
	 * @param limit positive, e.g. {@code Duration.ofSeconds(1)} to give up sooner on a DROP rule
	 * @return this sender, for chaining
	 * @throws IllegalArgumentException when {@code limit} is zero or negative
	 */
	public HttpTraffic timeout(Duration limit) {
		timeout = Sockets.checkTimeout(limit);
		return this;
	}

	/**
	 * {@link #get(URI)} of a URI string.
	 *
	 * @param uri an absolute {@code http://} URI, e.g. {@code "http://172.17.0.2:8080/health"}
	 * @return the status and body, or how the request failed
	 */
	public HttpResult get(String uri) {
		return get(URI.create(uri));
	}

	/**
	 * GETs {@code uri} and returns the status and body, or how it failed.
	 *
	 * @param uri absolute, with the {@code http} scheme; the port defaults to 80, the path to {@code /}
	 * @return the response, or the {@link Outcome} and error text of the failure; never null
	 * @throws IllegalArgumentException for anything but an absolute {@code http://} URI
	 * @throws TracePacketsException when the host name cannot be resolved
	 */
	public HttpResult get(URI uri) {
		if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
			throw new IllegalArgumentException("only absolute http:// URIs are supported: " + uri);
		}
		InetSocketAddress destination = Sockets.resolve(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort());
		long start = System.nanoTime();
		CompletableFuture<FullHttpResponse> response = new CompletableFuture<>();
		Bootstrap bootstrap = new Bootstrap()
				.group(EventLoops.group())
				.channelFactory(() -> Sockets.tcpChannel(destination))
				.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
				.handler(new ChannelInitializer<SocketChannel>() {
					@Override
					protected void initChannel(SocketChannel ch) {
						ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_RESPONSE_BYTES),
								new ResponseHandler(response));
					}
				});
		// connect() creates the socket, so it runs inside the origin's namespace.
		ChannelFuture connected = origin.inside(() -> bootstrap.connect(destination));
		Channel channel = connected.channel();
		try {
			if (!connected.awaitUninterruptibly(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
				return failed(uri, Outcome.TIMED_OUT, "connect timed out after " + timeout, start);
			}
			if (!connected.isSuccess()) {
				return failed(uri, Outcome.of(connected.cause()), Sockets.describe(connected.cause()), start);
			}
			channel.writeAndFlush(request(uri));
			FullHttpResponse full = response.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
			try {
				return new HttpResult(uri, Outcome.COMPLETED, full.status().code(),
						full.content().toString(StandardCharsets.UTF_8), null, since(start));
			} finally {
				full.release();
			}
		} catch (TimeoutException e) {
			return failed(uri, Outcome.TIMED_OUT, "connected, but no response within " + timeout, start);
		} catch (ExecutionException e) {
			return failed(uri, Outcome.of(e.getCause()), Sockets.describe(e.getCause()), start);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new TracePacketsException("interrupted waiting for " + uri, e);
		} finally {
			channel.close().awaitUninterruptibly(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	private static FullHttpRequest request(URI uri) {
		String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
		if (uri.getRawQuery() != null) {
			path += "?" + uri.getRawQuery();
		}
		FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
		request.headers()
				.set(HttpHeaderNames.HOST, uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort())
				.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
				.set(HttpHeaderNames.USER_AGENT, "tracepackets");
		return request;
	}

	private static HttpResult failed(URI uri, Outcome outcome, String why, long start) {
		return new HttpResult(uri, outcome, -1, "", why, since(start));
	}

	private static Duration since(long start) {
		return Duration.ofNanos(System.nanoTime() - start);
	}

	/** Hands the aggregated response over; a close before it is a failure. */
	private static final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
		private final CompletableFuture<FullHttpResponse> response;

		ResponseHandler(CompletableFuture<FullHttpResponse> response) {
			super(false);
			this.response = response;
		}

		@Override
		protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
			if (!response.complete(msg)) {
				msg.release();
			}
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			response.completeExceptionally(new java.io.IOException("connection closed before a response arrived"));
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			response.completeExceptionally(cause);
			ctx.close();
		}
	}

	@Override
	public String toString() {
		return "HTTP from " + origin;
	}
}
