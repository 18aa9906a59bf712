package io.tracepackets.internal.backend;

import io.tracepackets.Backend;
import io.tracepackets.TracePacketsException;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.internal.btf.SkbFunction;
import io.tracepackets.internal.libbpf.LibBpf;
import io.tracepackets.internal.symbols.Kallsyms;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the kernel which function backend it supports by doing it: loads each candidate's program
 * and attaches it to one real skb function, then detaches. Preference: kprobe-multi (fastest
 * attach), fentry (cheapest per hit), kprobe (most widely available), tracepoints only.
 */
public final class BackendDetector {

	private static final Logger LOG = LoggerFactory.getLogger(BackendDetector.class);
	private static final List<Backend> PREFERENCE = List.of(Backend.KPROBE_MULTI, Backend.FENTRY, Backend.KPROBE);

	private final String objectResource;
	private final Kallsyms kallsyms;

	public BackendDetector(String objectResource, Kallsyms kallsyms) {
		this.objectResource = objectResource;
		this.kallsyms = kallsyms;
	}

	/**
	 * @throws TracingUnavailableException when an explicitly requested backend is refused
	 */
	public BackendSelection select(Backend requested, ProbeTargets targets) {
		if (requested == Backend.TRACEPOINT) {
			return new BackendSelection(Backend.TRACEPOINT, Map.of(), targets, "requested");
		}
		Map<Backend, String> refused = new LinkedHashMap<>();
		for (Backend candidate : requested == Backend.AUTO ? PREFERENCE : List.of(requested)) {
			Optional<String> refusal = LibBpf.quietly(() -> refusal(candidate, probeFunction(targets)));
			if (refusal.isEmpty()) {
				String why = requested == Backend.AUTO ? "the best backend this kernel accepted" : "requested";
				LOG.info("backend {} selected ({}); refused: {}", candidate, why, refused);
				return new BackendSelection(candidate, refused, targets, why);
			}
			refused.put(candidate, refusal.get());
			LOG.info("backend {} refused: {}", candidate, refusal.get());
		}
		if (requested != Backend.AUTO) {
			throw new TracingUnavailableException(requested.label() + " backend", refused.get(requested));
		}
		return new BackendSelection(Backend.TRACEPOINT, refused, targets,
				"no function backend is available on this kernel, so only tracepoints are traced");
	}

	/** A well-known function if it is among the targets (stable across kernels), else the first. */
	static SkbFunction probeFunction(ProbeTargets targets) {
		for (String preferred : List.of("__netif_receive_skb", "ip_rcv", "__dev_queue_xmit", "ip_output")) {
			for (SkbFunction function : targets.functions()) {
				if (function.name().equals(preferred)) {
					return function;
				}
			}
		}
		return targets.functions().getFirst();
	}

	/** Empty when {@code backend} can load and attach here; else the kernel's answer, explained. */
	Optional<String> refusal(Backend backend, SkbFunction probe) {
		FunctionAttacher attacher = FunctionAttacher.of(backend, kallsyms);
		Map<Integer, List<SkbFunction>> one = Map.of(probe.skbArgPosition(), List.of(probe));
		try (BpfObject object = BpfObject.openResource(objectResource, "tp_probe")) {
			object.autoloadOnly(Set.of(attacher.programName(probe.skbArgPosition())));
			object.map("events").setMaxEntries(4096);
			attacher.beforeLoad(object, one);
			object.load();
			AttachResult result = attacher.attach(object, one);
			for (AutoCloseable link : result.links()) {
				link.close();
			}
			if (result.attached().isEmpty()) {
				return Optional.of(explain(backend, result.notAttached().values().iterator().next()));
			}
			return Optional.empty();
		} catch (TracePacketsException e) {
			return Optional.of(explain(backend, e.getMessage()));
		} catch (Exception e) {
			return Optional.of(explain(backend, e.toString()));
		}
	}

	/** The kernel's errno, plus what it usually means for this backend. */
	static String explain(Backend backend, String message) {
		String firstLine = message.lines().findFirst().orElse(message);
		String hint = switch (backend) {
			case KPROBE_MULTI -> firstLine.contains("EOPNOTSUPP") || firstLine.contains("ENOTSUPP")
					? " (the kernel is built without CONFIG_FPROBE, which kprobe-multi needs; 5.18+)"
					: firstLine.contains("EINVAL") ? " (kprobe-multi links need kernel 5.18+)" : "";
			case FENTRY -> firstLine.contains("EPERM")
					? " (the kernel refuses BPF trampolines: lockdown, or a kernel that forbids fentry)"
					: firstLine.contains("ENOTSUPP") || firstLine.contains("EOPNOTSUPP")
							? " (no BPF trampoline support on this architecture/kernel)" : "";
			case KPROBE -> firstLine.contains("ENOENT") || firstLine.contains("EOPNOTSUPP")
					? " (no kprobe support: the kernel is built without CONFIG_KPROBES)" : "";
			default -> "";
		};
		return firstLine + hint;
	}
}
