package io.tracepackets.assertj;

import io.tracepackets.PacketTrace;
import org.assertj.core.annotation.CheckReturnValue;

/**
 * The entry point of TracePackets' assertions:
 * {@code assertThat(trace).packets(udp().dstPort(9000)).wereDropped().in("nf_hook_slow")}.
 */
@CheckReturnValue
public final class TracePacketsAssertions {

	private TracePacketsAssertions() {
	}

	public static PacketTraceAssert assertThat(PacketTrace actual) {
		return new PacketTraceAssert(actual);
	}
}
