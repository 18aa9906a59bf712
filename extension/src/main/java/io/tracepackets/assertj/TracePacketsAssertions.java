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

	/**
	 * Starts assertions on a trace.
	 *
	 * @param actual the trace that {@code @TracePackets} injected
	 * @return assertions on the whole trace; narrow them with
	 *     {@link PacketTraceAssert#packets(io.tracepackets.PacketFilter)}
	 */
	public static PacketTraceAssert assertThat(PacketTrace actual) {
		return new PacketTraceAssert(actual);
	}
}
