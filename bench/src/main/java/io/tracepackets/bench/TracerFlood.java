package io.tracepackets.bench;

import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.internal.tracer.TraceWindow;
import io.tracepackets.internal.tracer.Tracer;
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

	static Result measure(Tracer tracer, UdpFlood flood, VethNamespaces pair, double seconds) throws InterruptedException {
		long emitted0 = tracer.emitted();
		long lost0 = tracer.lost();
		long overflowed0 = tracer.overflowed();
		TraceWindow first = open(tracer, pair);
		TraceWindow current = first;
		CpuUsage cpu = CpuUsage.start();
		Process process = flood.start(seconds);
		while (process.isAlive()) {
			Thread.sleep(ROTATE_MILLIS);
			TraceWindow next = open(tracer, pair);
			current.close();
			current = next;
		}
		CpuUsage.Sample sample = cpu.stop();
		UdpFlood.Result result = UdpFlood.finish(process, seconds);
		tracer.flush(Duration.ofSeconds(10));
		current.close();
		return new Result(result, tracer.emitted() - emitted0, current.limit() - first.start(), tracer.lost() - lost0,
				tracer.overflowed() - overflowed0, sample);
	}

	private static TraceWindow open(Tracer tracer, VethNamespaces pair) {
		TraceWindow window = tracer.openWindow();
		window.addNetns(pair.leftInode());
		window.addNetns(pair.rightInode());
		return window;
	}
}
