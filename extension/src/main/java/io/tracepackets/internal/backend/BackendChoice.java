package io.tracepackets.internal.backend;

import io.tracepackets.Backend;
import io.tracepackets.TracePacketsException;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.bootcache.BootCache;
import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.internal.btf.SkbFunction;
import io.tracepackets.internal.libbpf.LibBpf;
import io.tracepackets.internal.symbols.Kallsyms;
import io.tracepackets.internal.symbols.NearestNames;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
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
 *
 * <p>A refusal that only the kernel's build and the process's privileges decide (an errno such as
 * EOPNOTSUPP, EPERM, ENOENT, not EBUSY or ENOMEM) holds until the kernel reboots: asking cost a
 * cold start most of its time (each try loads the object), so the first tracer of a boot asks
 * and keeps the answer in the {@link BootCache}, under the object's identity and the process's
 * credentials, and later ones, in any JVM, read it. Only the default functions' refusals are kept:
 * a functions regex chooses the function tried, and so may get another answer.
 */
public final class BackendChoice {

	private static final Logger LOG = LoggerFactory.getLogger(BackendChoice.class);
	/** The errnos that say what the kernel or the process cannot do, not what it could not do just then. */
	private static final Pattern LASTING_REFUSAL = Pattern.compile(
			"\\b(EOPNOTSUPP|ENOTSUPP|EPERM|ENOENT|EINVAL|ENOSYS|EACCES|E2BIG|ESRCH)\\b");
	private static final Pattern PASSING_REFUSAL = Pattern.compile(
			"\\b(EAGAIN|EBUSY|ENOMEM|EINTR|EMFILE|ENFILE|ENOSPC|ETIMEDOUT)\\b");

	private final String objectResource;
	private final Supplier<Kallsyms> kallsyms;
	private final BootCache cache;

	/**
	 * @param objectResource the BPF object whose programs are tried
	 * @param kallsyms the names of the functions that can be probed
	 */
	public BackendChoice(String objectResource, Kallsyms kallsyms) {
		this(objectResource, () -> kallsyms, BootCache.shared());
	}

	/**
	 * @param objectResource the BPF object whose programs are tried
	 * @param kallsyms the names of the functions that can be probed, read only if functions are sought
	 * @param cache where lasting refusals are kept for the kernel's boot
	 */
	public BackendChoice(String objectResource, Supplier<Kallsyms> kallsyms, BootCache cache) {
		this.objectResource = objectResource;
		this.kallsyms = kallsyms;
		this.cache = cache;
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
		if (functions == null) {
			Optional<BackendSelection> known = knownRefusals(requested);
			if (known.isPresent()) {
				return known.get();
			}
		}
		ProbeTargets targets = ProbeTargets.discover(functions, kallsyms);
		if (targets.isEmpty() && functions == null && requested == Backend.AUTO) {
			return BackendSelection.tracepoints(Map.of(), targets,
					"no skb function of this kernel can be probed (" + targets + ")");
		}
		if (targets.isEmpty()) {
			String regex = functions == null ? "(all)" : functions.pattern();
			List<String> near = functions == null ? List.of()
					: NearestNames.suggest(regex, kallsyms.get().functionNames(), 5);
			throw new IllegalArgumentException("functions = \"" + regex + "\" matches no probeable skb function of"
					+ " the running kernel (" + targets + ")" + (near.isEmpty() ? "" : "; did you mean: "
							+ String.join(", ", near)));
		}
		return detect(requested, targets, functions == null);
	}

	/**
	 * The outcome when this boot's cache says every candidate is refused: tracepoints for AUTO, the
	 * refusal for a named backend; without looking for functions to probe, which only a backend
	 * that attaches needs.
	 */
	private Optional<BackendSelection> knownRefusals(Backend requested) {
		Map<Backend, String> refused = new LinkedHashMap<>();
		for (FunctionBackend candidate : candidates(requested)) {
			Optional<String> known = cache.get(cacheKey(candidate.backend()));
			if (known.isEmpty()) {
				return Optional.empty();
			}
			refused.put(candidate.backend(), known.get());
			LOG.info("backend {} refused: {} (as this kernel answered the first tracer of its boot)",
					candidate.backend(), known.get());
		}
		if (requested != Backend.AUTO) {
			throw new TracingUnavailableException(requested.label() + " backend", refused.get(requested));
		}
		return Optional.of(BackendSelection.tracepoints(refused, null,
				"no function backend is available on this kernel, so only tracepoints are traced"));
	}

	private List<FunctionBackend> candidates(Backend requested) {
		return preference().stream().filter(backend -> requested == Backend.AUTO || backend.backend() == requested)
				.toList();
	}

	/**
	 * The cache entry of {@code backend}'s refusal: the answer depends on the kernel (the file is
	 * the boot's), the object tried and the process's privileges.
	 */
	String cacheKey(Backend backend) {
		return "backend." + backend.name().toLowerCase(java.util.Locale.ROOT) + ".refused."
				+ Integer.toHexString(Objects.hash(objectIdentity(objectResource), Credentials.current()));
	}

	/** What tells two builds of the object apart without reading it: the jar entry's CRC, or the file's size and time. */
	static String objectIdentity(String resource) {
		java.net.URL url = BackendChoice.class.getClassLoader().getResource(resource);
		if (url == null) {
			return resource;
		}
		try {
			java.net.URLConnection connection = url.openConnection();
			if (connection instanceof java.net.JarURLConnection jar) {
				java.util.jar.JarEntry entry = jar.getJarEntry();
				return url + " crc " + Long.toHexString(entry.getCrc()) + " size " + entry.getSize();
			}
			return url + " size " + connection.getContentLengthLong() + " modified " + connection.getLastModified();
		} catch (java.io.IOException | RuntimeException e) {
			return url.toString();
		}
	}

	/**
	 * The first candidate the kernel accepts; AUTO falls back to tracepoints, a named backend fails.
	 * {@code cached}: lasting refusals are read from and written to the boot's cache.
	 */
	private BackendSelection detect(Backend requested, ProbeTargets targets, boolean cached) {
		Map<Backend, String> refused = new LinkedHashMap<>();
		for (FunctionBackend candidate : candidates(requested)) {
			Optional<String> known = cached ? cache.get(cacheKey(candidate.backend())) : Optional.empty();
			Optional<String> refusal = known.isPresent() ? known
					: LibBpf.quietly(() -> refusal(candidate, probeFunction(targets)));
			if (cached && known.isEmpty() && refusal.isPresent() && lasts(refusal.get())) {
				cache.put(cacheKey(candidate.backend()), refusal.get());
			}
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

	/** Whether {@code refusal} names an errno that holds until the kernel reboots (see the class comment). */
	static boolean lasts(String refusal) {
		return LASTING_REFUSAL.matcher(refusal).find() && !PASSING_REFUSAL.matcher(refusal).find();
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
