package io.tracepackets.internal.backend;

import io.tracepackets.Backend;
import io.tracepackets.TracePacketsException;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.internal.btf.SkbFunction;
import io.tracepackets.internal.libbpf.LibBpf;
import io.tracepackets.internal.symbols.Kallsyms;
import io.tracepackets.internal.symbols.NearestNames;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides the backend, and is the only place that does: what was requested, which skb functions
 * there are to probe, and what the kernel accepts, asked by doing it — each candidate's program is
 * loaded and attached to one real skb function, then detached. Preference: kprobe-multi (fastest
 * attach), fentry (cheapest per hit), kprobe (most widely available), tracepoints only. Falling
 * back to tracepoints is decided here too: when requested, when AUTO finds no function to probe,
 * and when AUTO finds no function backend the kernel accepts.
 */
public final class BackendChoice {

	private static final Logger LOG = LoggerFactory.getLogger(BackendChoice.class);

	private final String objectResource;
	private final Kallsyms kallsyms;

	/**
	 * @param objectResource the BPF object whose programs are tried
	 * @param kallsyms the names of the functions that can be probed
	 */
	public BackendChoice(String objectResource, Kallsyms kallsyms) {
		this.objectResource = objectResource;
		this.kallsyms = kallsyms;
	}

	/** The function backends, best first: what AUTO tries, in order. */
	private List<FunctionBackend> preference() {
		return List.of(new KprobeMultiBackend(), new FentryBackend(kallsyms), new KprobeBackend());
	}

	/**
	 * The backend for {@code requested} on the functions whose name {@code functions} finds (null:
	 * every skb function).
	 *
	 * @throws IllegalArgumentException when {@code functions} matches no probeable function
	 * @throws TracingUnavailableException when an explicitly requested backend is refused
	 */
	public BackendSelection choose(Backend requested, Pattern functions) {
		if (requested == Backend.TRACEPOINT) {
			return BackendSelection.tracepoints(Map.of(), null, "requested");
		}
		ProbeTargets targets = ProbeTargets.discover(functions, kallsyms);
		if (targets.isEmpty() && functions == null && requested == Backend.AUTO) {
			return BackendSelection.tracepoints(Map.of(), targets,
					"no skb function of this kernel can be probed (" + targets + ")");
		}
		if (targets.isEmpty()) {
			String regex = functions == null ? "(all)" : functions.pattern();
			List<String> near = functions == null ? List.of()
					: NearestNames.suggest(regex, kallsyms.functionNames(), 5);
			throw new IllegalArgumentException("functions = \"" + regex + "\" matches no probeable skb function of"
					+ " the running kernel (" + targets + ")" + (near.isEmpty() ? "" : "; did you mean: "
							+ String.join(", ", near)));
		}
		return detect(requested, targets);
	}

	/** The first candidate the kernel accepts; AUTO falls back to tracepoints, a named backend fails. */
	private BackendSelection detect(Backend requested, ProbeTargets targets) {
		List<FunctionBackend> candidates = preference().stream()
				.filter(backend -> requested == Backend.AUTO || backend.backend() == requested).toList();
		Map<Backend, String> refused = new LinkedHashMap<>();
		for (FunctionBackend candidate : candidates) {
			Optional<String> refusal = LibBpf.quietly(() -> refusal(candidate, probeFunction(targets)));
			if (refusal.isEmpty()) {
				String why = requested == Backend.AUTO ? "the best backend this kernel accepted" : "requested";
				LOG.info("backend {} selected ({}); refused: {}", candidate.backend(), why, refused);
				return BackendSelection.of(candidate, refused, targets, why);
			}
			refused.put(candidate.backend(), refusal.get());
			LOG.info("backend {} refused: {}", candidate.backend(), refusal.get());
		}
		if (requested != Backend.AUTO) {
			throw new TracingUnavailableException(requested.label() + " backend", refused.get(requested));
		}
		return BackendSelection.tracepoints(refused, targets,
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
	Optional<String> refusal(FunctionBackend backend, SkbFunction probe) {
		Map<Integer, List<SkbFunction>> one = Map.of(probe.skbArgPosition(), List.of(probe));
		try (BpfObject object = BpfObject.openResource(objectResource, "tp_probe")) {
			object.autoloadOnly(Set.of(backend.programName(probe.skbArgPosition())));
			object.map("events").setMaxEntries(4096);
			backend.beforeLoad(object, one);
			object.load();
			AttachResult result = backend.attach(object, one);
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
	static String explain(FunctionBackend backend, String message) {
		String firstLine = message.lines().findFirst().orElse(message);
		return firstLine + backend.refusalHint(firstLine);
	}
}
