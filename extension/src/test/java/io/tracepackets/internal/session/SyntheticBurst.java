package io.tracepackets.internal.session;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.tracepackets.internal.bpf.BpfObject;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The synthetic feed of the benchmark and the kernel tests (bpf/bench/burst.bpf.c, built into
 * test-classes, never into the jar) on a session's maps, so the kernel writes events into its ring
 * faster than any packet could. The bench module takes it from the extension's test-jar: it never
 * ships in the extension's jar.
 */
public final class SyntheticBurst implements AutoCloseable {

	private static final String RESOURCE = "io/tracepackets/bpf/bench/burst.bpf.o";
	private static final String PROGRAM = "emit_burst";

	private final BpfObject object;

	private SyntheticBurst(BpfObject object) {
		this.object = object;
	}

	/** The feed, loaded on {@code session}'s maps: its events land in the session's ring. */
	public static SyntheticBurst on(TraceSession session) {
		BpfObject object = BpfObject.openResource(RESOURCE, "tp_burst");
		try {
			session.shareMapsWith(object);
			object.load();
			return new SyntheticBurst(object);
		} catch (RuntimeException | Error e) {
			object.close();
			throw e;
		}
	}

	/** Makes the kernel write {@code count} synthetic events at once (BPF_PROG_TEST_RUN with bpf_loop). */
	public void emit(int count) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment context = arena.allocate(8);
			context.set(JAVA_INT, 0, count);
			object.program(PROGRAM).run(context);
		}
	}

	@Override
	public void close() {
		object.close();
	}
}
