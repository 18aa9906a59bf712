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
final class KprobeBackend implements FunctionBackend {

	private static final int THREADS = Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors() * 2));

	@Override
	public Backend backend() {
		return Backend.KPROBE;
	}

	@Override
	public String programName(int position) {
		return "kprobe_skb_" + position;
	}

	/** A perf event and a link per function. */
	@Override
	public long descriptors(int functions, int positions) {
		return 2L * functions;
	}

	/** A kprobe on entry remembers the parent, a kretprobe gives its journey to the returned skb. */
	@Override
	public List<String> copyPrograms(String copyFunction) {
		return kprobePair(copyFunction);
	}

	static List<String> kprobePair(String copyFunction) {
		return List.of("kprobe_copy_" + copyFunction, "kretprobe_copy_" + copyFunction);
	}

	/** A kprobe keeps the skb's event as it enters, a kretprobe writes it with the return value. */
	@Override
	public List<String> returnPrograms(String function) {
		return kprobeReturnPair(function);
	}

	static List<String> kprobeReturnPair(String function) {
		return List.of("kprobe_return_" + function, "kretprobe_return_" + function);
	}

	@Override
	public String refusalHint(String error) {
		return error.contains("ENOENT") || error.contains("EOPNOTSUPP")
				? " (no kprobe support: the kernel is built without CONFIG_KPROBES)" : "";
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
