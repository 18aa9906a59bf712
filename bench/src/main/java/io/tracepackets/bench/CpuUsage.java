package io.tracepackets.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU accounting around a measurement, to say who saturated what: the whole machine's busy time
 * (/proc/stat, in cores) and the tracer's reader thread alone.
 */
final class CpuUsage {

	private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

	private final long readerThreadId;
	private final long[] machineStart;
	private final long readerStart;
	private final long wallStart = System.nanoTime();

	private CpuUsage(long readerThreadId) {
		this.readerThreadId = readerThreadId;
		this.machineStart = machineTicks();
		this.readerStart = readerThreadId < 0 ? 0 : THREADS.getThreadCpuTime(readerThreadId);
	}

	/** Starts measuring; the reader thread is the live "tracepackets-reader", if any. */
	static CpuUsage start() {
		long id = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("tracepackets-reader"))
				.mapToLong(Thread::threadId).findFirst().orElse(-1);
		return new CpuUsage(id);
	}

	/** Busy cores and reader-thread cores (both as fractions of one core) since start. */
	record Sample(double machineCores, double readerCores) {
	}

	Sample stop() {
		double wallNanos = System.nanoTime() - wallStart;
		long[] end = machineTicks();
		double busy = (end[0] - machineStart[0]) - (end[1] - machineStart[1]);
		double total = end[0] - machineStart[0];
		double cores = total == 0 ? 0 : busy / total * Runtime.getRuntime().availableProcessors();
		double reader = readerThreadId < 0 ? 0 : (THREADS.getThreadCpuTime(readerThreadId) - readerStart) / wallNanos;
		return new Sample(cores, reader);
	}

	/** {total, idle+iowait} jiffies of the "cpu" line. */
	private static long[] machineTicks() {
		try {
			String[] fields = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
			long total = 0;
			for (int i = 1; i < fields.length && i <= 8; i++) { // guest time is already in user
				total += Long.parseLong(fields[i]);
			}
			return new long[] {total, Long.parseLong(fields[4]) + Long.parseLong(fields[5])};
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
