package io.tracepackets.internal.backend;

import io.tracepackets.Backend;
import io.tracepackets.TracePacketsException;
import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.internal.bpf.BpfProgram;
import io.tracepackets.internal.btf.SkbFunction;
import java.util.List;
import java.util.Map;

/**
 * One kprobe-multi link per skb argument position, covering all its functions at once: the
 * fastest attach (fprobe registers them in one ftrace update). If the kernel refuses a whole
 * batch, functions are retried one by one so a single bad symbol does not cost the others.
 */
final class KprobeMultiBackend implements FunctionBackend {

	@Override
	public Backend backend() {
		return Backend.KPROBE_MULTI;
	}

	@Override
	public String programName(int position) {
		return "kprobe_multi_skb_" + position;
	}

	/** One link per argument position, however many functions it covers. */
	@Override
	public long descriptors(int functions, int positions) {
		return positions;
	}

	/** kprobe's pair: a handful of copy functions gain nothing from one multi link. */
	@Override
	public List<String> copyPrograms(String copyFunction) {
		return KprobeBackend.kprobePair(copyFunction);
	}

	/** kprobe's pair too: three functions gain nothing from a multi link. */
	@Override
	public List<String> returnPrograms(String function) {
		return KprobeBackend.kprobeReturnPair(function);
	}

	@Override
	public String refusalHint(String error) {
		return error.contains("EOPNOTSUPP") || error.contains("ENOTSUPP")
				? " (the kernel is built without CONFIG_FPROBE, which kprobe-multi needs; 5.18+)"
				: error.contains("EINVAL") ? " (kprobe-multi links need kernel 5.18+)" : "";
	}

	@Override
	public AttachResult attach(BpfObject object, Map<Integer, List<SkbFunction>> byPosition) {
		Attachments attachments = new Attachments();
		for (Map.Entry<Integer, List<SkbFunction>> entry : byPosition.entrySet()) {
			BpfProgram program = object.program(programName(entry.getKey()));
			List<String> names = entry.getValue().stream().map(SkbFunction::name).toList();
			try {
				attachments.attached(program.attachKprobeMulti(names), names);
			} catch (TracePacketsException batch) {
				for (String name : names) {
					try {
						attachments.attached(program.attachKprobeMulti(List.of(name)), name);
					} catch (TracePacketsException single) {
						attachments.failed(name, single.getMessage());
					}
				}
			}
		}
		return attachments.result();
	}
}
