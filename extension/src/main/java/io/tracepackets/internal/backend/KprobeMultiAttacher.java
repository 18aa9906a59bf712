package io.tracepackets.internal.backend;

import io.tracepackets.Backend;
import io.tracepackets.TracePacketsException;
import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.internal.bpf.BpfProgram;
import io.tracepackets.internal.btf.SkbFunction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One kprobe-multi link per skb argument position, covering all its functions at once: the
 * fastest attach (fprobe registers them in one ftrace update). If the kernel refuses a whole
 * batch, functions are retried one by one so a single bad symbol does not cost the others.
 */
final class KprobeMultiAttacher implements FunctionAttacher {

	@Override
	public Backend backend() {
		return Backend.KPROBE_MULTI;
	}

	@Override
	public AttachResult attach(BpfObject object, Map<Integer, List<SkbFunction>> byPosition) {
		long started = System.nanoTime();
		List<AutoCloseable> links = new ArrayList<>();
		List<String> attached = new ArrayList<>();
		Map<String, String> failed = new TreeMap<>();
		for (Map.Entry<Integer, List<SkbFunction>> entry : byPosition.entrySet()) {
			BpfProgram program = object.program(programName(entry.getKey()));
			List<String> names = entry.getValue().stream().map(SkbFunction::name).toList();
			try {
				links.add(program.attachKprobeMulti(names));
				attached.addAll(names);
			} catch (TracePacketsException batch) {
				for (String name : names) {
					try {
						links.add(program.attachKprobeMulti(List.of(name)));
						attached.add(name);
					} catch (TracePacketsException single) {
						failed.put(name, single.getMessage());
					}
				}
			}
		}
		return new AttachResult(List.copyOf(links), KprobeAttacher.sorted(attached), failed,
				Duration.ofNanos(System.nanoTime() - started));
	}
}
