package io.tracepackets.traffic;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The one netty event loop group all traffic shares: a test sends a handful of packets, so two
 * daemon threads suffice, and they must never keep the JVM alive.
 */
final class EventLoops {

	private static final class Holder {
		static final EventLoopGroup GROUP = create();
	}

	private EventLoops() {
	}

	static EventLoopGroup group() {
		return Holder.GROUP;
	}

	private static EventLoopGroup create() {
		EventLoopGroup group = new MultiThreadIoEventLoopGroup(2,
				new DefaultThreadFactory("tracepackets-traffic", true), NioIoHandler.newFactory());
		Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("tracepackets-traffic-shutdown").unstarted(
				() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS)));
		return group;
	}
}
