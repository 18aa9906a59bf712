package io.tracepackets.bench;

import io.tracepackets.internal.session.SyntheticBurst;
import io.tracepackets.internal.session.TraceSession;
import java.time.Duration;

/**
 * The reader's ceiling without packets: one thread makes the kernel write synthetic events with
 * bpf_loop as fast as it can (BPF_PROG_TEST_RUN of emit_burst) while the reader drains the ring.
 * Synthetic records are counted, not copied into the event store, so this is the ring-drain and
 * dispatch cost alone.
 */
final class SyntheticThroughput {

	private static final int BURST = 1 << 16;

	record Result(double seconds, long emitted, long consumed, long lost, CpuUsage.Sample cpu) {
		double consumedPerSecond() {
			return consumed / seconds;
		}
	}

	private SyntheticThroughput() {
	}

	static Result measure(TraceSession session, double seconds) throws InterruptedException {
		var pump = session.pump();
		long emitted0 = pump.emitted();
		long lost0 = pump.lost();
		long consumed0 = pump.syntheticConsumed();
		double elapsed;
		CpuUsage.Sample sample;
		try (SyntheticBurst burst = SyntheticBurst.on(session)) {
			CpuUsage cpu = CpuUsage.start();
			long started = System.nanoTime();
			long deadline = started + (long) (seconds * 1e9);
			Thread emitter = Thread.ofPlatform().name("bench-emitter").start(() -> {
				while (System.nanoTime() < deadline) {
					burst.emit(BURST);
				}
			});
			emitter.join();
			elapsed = (System.nanoTime() - started) / 1e9;
			sample = cpu.stop();
		}
		pump.flush(Duration.ofSeconds(10)); // what was emitted is now consumed
		return new Result(elapsed, pump.emitted() - emitted0, pump.syntheticConsumed() - consumed0,
				pump.lost() - lost0, sample);
	}
}
