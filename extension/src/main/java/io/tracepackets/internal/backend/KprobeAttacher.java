package io.tracepackets.internal.backend;

import io.tracepackets.Backend;
import io.tracepackets.TracePacketsException;
import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.internal.bpf.BpfProgram;
import io.tracepackets.internal.btf.SkbFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One kprobe per function. Each attach is a perf_event_open plus a link, about a millisecond of
 * kernel work (far more under emulation), so functions are attached by a few threads in parallel.
 */
final class KprobeAttacher implements FunctionAttacher {

	private static final int THREADS = Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors() * 2));

	@Override
	public Backend backend() {
		return Backend.KPROBE;
	}

	@Override
	public AttachResult attach(BpfObject object, Map<Integer, List<SkbFunction>> byPosition) {
		Attachments attachments = new Attachments();
		ExecutorService pool = Executors.newFixedThreadPool(THREADS, Thread.ofPlatform().daemon().name("tracepackets-attach-", 0).factory());
		try {
			List<Future<?>> work = new ArrayList<>();
			for (Map.Entry<Integer, List<SkbFunction>> entry : byPosition.entrySet()) {
				BpfProgram program = object.program(programName(entry.getKey()));
				for (SkbFunction function : entry.getValue()) {
					work.add(pool.submit(() -> {
						try {
							attachments.attached(program.attachKprobe(function.name()), function.name());
						} catch (TracePacketsException e) {
							attachments.failed(function.name(), e.getMessage());
						}
					}));
				}
			}
			for (Future<?> future : work) {
				future.get();
			}
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new TracePacketsException("interrupted while attaching kprobes", e);
		} catch (ExecutionException e) {
			throw new TracePacketsException("attaching kprobes failed: " + e.getCause(), e.getCause());
		} finally {
			pool.shutdownNow();
		}
		return attachments.result();
	}
}
