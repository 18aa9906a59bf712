package io.tracepackets.bench;

import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.internal.session.EventCursor;
import io.tracepackets.internal.session.NamespaceFilter;
import io.tracepackets.internal.session.TraceSession;
import java.time.Duration;

/**
 * The flood with the tracer scoped to both namespaces. Windows are rotated every 250 ms, like
 * back-to-back tests, so the event store only retains one window's worth and every event the
 * reader consumes is really copied into it. Consumed = sequences published across the windows.
 */
final class TracerFlood {

	private static final long ROTATE_MILLIS = 250;

	record Result(UdpFlood.Result flood, long emitted, long consumed, long lost, long overflowed,
			CpuUsage.Sample cpu) {
		double consumedPerSecond() {
			return consumed / flood.seconds();
		}

		double emittedPerSecond() {
			return emitted / flood.seconds();
		}
	}

	private TracerFlood() {
	}

	/**
	 * The reader alone: raw cursors over the session's events, rotated like per-test windows but
	 * never decoded, so the figure is what the ring buffer reader and the store sustain.
	 */
	static Result measure(TraceSession session, UdpFlood flood, VethNamespaces pair, double seconds)
			throws InterruptedException {
		return measure(session, flood, seconds, pair.leftInode(), pair.rightInode());
	}

	/** The same with the namespaces {@code scope} in scope (the flood's own, or others). */
	static Result measure(TraceSession session, UdpFlood flood, double seconds, long... scope)
			throws InterruptedException {
		var pump = session.pump();
		long emitted0 = pump.emitted();
		long lost0 = pump.lost();
		long overflowed0 = pump.overflowed();
		java.util.List<NamespaceFilter.Lease> leases = new java.util.ArrayList<>();
		try {
			for (long inode : scope) {
				leases.add(session.namespaceFilter().lease(inode));
			}
			EventCursor current = pump.openCursor();
			long consumed = 0;
			CpuUsage cpu = CpuUsage.start();
			Process process = flood.start(seconds);
			while (process.isAlive()) {
				Thread.sleep(ROTATE_MILLIS);
				EventCursor next = pump.openCursor();
				current.release();
				consumed += current.stored();
				current = next;
			}
			CpuUsage.Sample sample = cpu.stop();
			UdpFlood.Result result = UdpFlood.finish(process, seconds);
			pump.flush(Duration.ofSeconds(10));
			current.release();
			consumed += current.stored();
			return new Result(result, pump.emitted() - emitted0, consumed, pump.lost() - lost0,
					pump.overflowed() - overflowed0, sample);
		} finally {
			leases.forEach(NamespaceFilter.Lease::close);
		}
	}
}
