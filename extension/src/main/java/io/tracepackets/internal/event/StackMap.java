package io.tracepackets.internal.event;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.tracepackets.internal.bpf.BpfMap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.IntFunction;

/**
 * The probes' {@code stacks} map (BPF_MAP_TYPE_STACK_TRACE): an event carries a stack id, and the
 * decoder turns it into frames here. Read when the event is decoded, not when it arrives: most
 * events' stacks are never looked at.
 */
public final class StackMap implements IntFunction<long[]> {

	/** The map's value size in frames (bpf/include/skb_events.bpf.h). */
	private static final int MAX_DEPTH = 32;

	private final BpfMap stacks;

	public StackMap(BpfMap stacks) {
		this.stacks = stacks;
	}

	/** The kernel stack of {@code stackId}, innermost first; empty when the id is unknown or none was taken. */
	@Override
	public long[] apply(int stackId) {
		if (stackId < 0) {
			return new long[0];
		}
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment frames = arena.allocate(JAVA_LONG, MAX_DEPTH);
			if (!stacks.lookup(arena.allocateFrom(JAVA_INT, stackId), frames)) {
				return new long[0];
			}
			int depth = 0;
			while (depth < MAX_DEPTH && frames.getAtIndex(JAVA_LONG, depth) != 0) {
				depth++;
			}
			long[] result = new long[depth];
			MemorySegment.copy(frames, JAVA_LONG, 0, result, 0, depth);
			return result;
		}
	}
}
