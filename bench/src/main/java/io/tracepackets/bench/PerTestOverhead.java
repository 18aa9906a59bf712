package io.tracepackets.bench;

import io.tracepackets.internal.session.TraceSession;
import io.tracepackets.internal.window.TraceWindow;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What @TracePackets adds to each test once the tracer is warm: open a trace window, scope it to
 * one netns (the kernel filter map follows), flush (a marker through the ring buffer), close
 * (which flushes again to fix the window's end). Timed per phase, on an otherwise idle tracer.
 */
final class PerTestOverhead {

	/** Milliseconds per iteration: the whole cycle and its phases. */
	record Result(Stats total, Stats openAndScope, Stats flush, Stats close) {
	}

	private PerTestOverhead() {
	}

	static Result measure(TraceSession context, Path netns, int warmup, int runs) {
		double[] total = new double[runs];
		double[] open = new double[runs];
		double[] flush = new double[runs];
		double[] close = new double[runs];
		for (int i = -warmup; i < runs; i++) {
			long t0 = System.nanoTime();
			TraceWindow trace = TraceWindow.open(context, Duration.ofSeconds(3));
			trace.scope(netns);
			long t1 = System.nanoTime();
			trace.flush();
			long t2 = System.nanoTime();
			trace.close();
			long t3 = System.nanoTime();
			if (i >= 0) {
				open[i] = (t1 - t0) / 1e6;
				flush[i] = (t2 - t1) / 1e6;
				close[i] = (t3 - t2) / 1e6;
				total[i] = (t3 - t0) / 1e6;
			}
		}
		return new Result(Stats.of(total), Stats.of(open), Stats.of(flush), Stats.of(close));
	}
}
