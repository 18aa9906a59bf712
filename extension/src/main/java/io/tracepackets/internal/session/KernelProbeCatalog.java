package io.tracepackets.internal.session;

import io.tracepackets.Backend;
import io.tracepackets.PacketEvent;
import io.tracepackets.ProbeCatalog;
import io.tracepackets.internal.symbols.Kallsyms;
import io.tracepackets.internal.symbols.NearestNames;
import io.tracepackets.internal.event.Tracepoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * What a tracer observes: its attached tracepoints and, with a function backend, the functions it
 * attached to; names are checked against those, the known tracepoints and the kernel's functions.
 */
public final class KernelProbeCatalog implements ProbeCatalog {

	/** Reload kallsyms for an unknown name at most this often: modules load during tests (veth). */
	private static final long RELOAD_NANOS = 2_000_000_000L;

	private final Backend backend;
	private final boolean probesFunctions;
	private final String reason;
	private final String summary;
	private final Set<String> observed;
	/** The symbols the session read (after its start): what a name missing from them is judged against. */
	private final Supplier<Kallsyms> sessionKallsyms;
	/** Newer symbols, once a name was missing (modules load during tests); null until then. */
	private volatile Kallsyms reloaded;
	private volatile long reloadedAt = System.nanoTime();
	private final Supplier<List<String>> dropReasons;
	private final Pattern functionFilter;
	private final Set<String> ambiguous;
	private final Map<String, String> failed;
	private final String socketHookMissing;
	private final boolean followsCopies;
	private final Set<String> recordedReturns;
	private final Map<String, String> returnsMissing;

	/**
	 * @param backend the backend chosen
	 * @param probesFunctions whether that backend probes kernel functions (it has a function
	 *     backend; the tracepoint fallback has none)
	 * @param reason why this backend, and every refusal in full (the log's)
	 * @param summary the same in one short clause, for failure messages
	 * @param functionFilter the functions regex (null: all)
	 * @param ambiguous names skipped for having several definitions
	 * @param failed functions whose attach failed, with the error
	 * @param socketHookMissing null when the socket_receive hook is attached, else why not
	 * @param followsCopies whether copy programs are attached (see {@link #followsCopies()})
	 */
	public KernelProbeCatalog(Backend backend, boolean probesFunctions, String reason, String summary, Collection<Tracepoint> tracepoints,
			Collection<String> functions, Kallsyms kallsyms, List<String> dropReasons, Pattern functionFilter,
			Collection<String> ambiguous, Map<String, String> failed, String socketHookMissing,
			boolean followsCopies) {
		this(backend, probesFunctions, reason, summary, tracepoints, functions, () -> kallsyms,
				() -> List.copyOf(dropReasons), functionFilter, ambiguous, failed, socketHookMissing, followsCopies);
	}

	/**
	 * As above, with the kernel's names asked for when a question first needs them (a session
	 * reads them after its start).
	 */
	public KernelProbeCatalog(Backend backend, boolean probesFunctions, String reason, String summary,
			Collection<Tracepoint> tracepoints, Collection<String> functions, Supplier<Kallsyms> kallsyms,
			Supplier<List<String>> dropReasons, Pattern functionFilter, Collection<String> ambiguous,
			Map<String, String> failed, String socketHookMissing, boolean followsCopies) {
		this(backend, probesFunctions, reason, summary, tracepoints, functions, kallsyms, dropReasons, functionFilter,
				ambiguous, failed, socketHookMissing, followsCopies, Set.of(), Map.of());
	}

	/**
	 * As above, with the functions whose return value events carry.
	 *
	 * @param recordedReturns the functions of {@code ReturnValue.RECORDED} whose return probes are attached
	 * @param returnsMissing why each other function of that list is not recorded
	 */
	public KernelProbeCatalog(Backend backend, boolean probesFunctions, String reason, String summary,
			Collection<Tracepoint> tracepoints, Collection<String> functions, Supplier<Kallsyms> kallsyms,
			Supplier<List<String>> dropReasons, Pattern functionFilter, Collection<String> ambiguous,
			Map<String, String> failed, String socketHookMissing, boolean followsCopies, Set<String> recordedReturns,
			Map<String, String> returnsMissing) {
		this.recordedReturns = Set.copyOf(recordedReturns);
		this.returnsMissing = Map.copyOf(returnsMissing);
		this.socketHookMissing = socketHookMissing;
		this.followsCopies = followsCopies;
		this.backend = backend;
		this.probesFunctions = probesFunctions;
		this.reason = reason;
		this.summary = summary;
		this.sessionKallsyms = kallsyms;
		this.functionFilter = functionFilter;
		this.ambiguous = Set.copyOf(ambiguous);
		this.failed = Map.copyOf(failed);
		Set<String> names = new LinkedHashSet<>();
		tracepoints.forEach(t -> names.add(t.eventName()));
		names.addAll(functions);
		if (socketHookMissing == null) {
			names.add(PacketEvent.SOCKET_RECEIVE);
		}
		this.observed = Set.copyOf(names);
		this.dropReasons = dropReasons;
	}

	@Override
	public String backend() {
		return backend.label();
	}

	@Override
	public String backendReason() {
		return reason;
	}

	@Override
	public String backendSummary() {
		return summary;
	}

	@Override
	public boolean followsCopies() {
		return followsCopies;
	}

	@Override
	public boolean recordsReturnOf(String function) {
		return recordedReturns.contains(function);
	}

	@Override
	public String whyReturnNotRecorded(String function) {
		String why = returnsMissing.get(function);
		return why != null ? why : ProbeCatalog.super.whyReturnNotRecorded(function);
	}

	@Override
	public boolean observes(String where) {
		return observed.contains(where);
	}

	@Override
	public boolean exists(String name) {
		if (observed.contains(name) || Tracepoint.byName(name).isPresent() || kallsyms().count(name) > 0
				|| name.equals(PacketEvent.SOCKET_RECEIVE)) {
			return true;
		}
		if (System.nanoTime() - reloadedAt > RELOAD_NANOS) {
			reloadedAt = System.nanoTime();
			reloaded = Kallsyms.load();
			return reloaded.count(name) > 0;
		}
		return false;
	}

	/** The newest symbols read. */
	private Kallsyms kallsyms() {
		Kallsyms newer = reloaded;
		return newer != null ? newer : sessionKallsyms.get();
	}

	@Override
	public String whyNotObserved(String name) {
		if (name.equals(PacketEvent.SOCKET_RECEIVE)) {
			return "the socket_receive hook is not attached: " + socketHookMissing;
		}
		if (Tracepoint.byName(name).isPresent()) {
			return "the tracepoint could not be attached on this kernel: see the tracer's log";
		}
		if (!probesFunctions) {
			return "it probes no kernel function: a function needs a function backend; " + summary;
		}
		if (failed.containsKey(name)) {
			return "attaching its probe failed: " + failed.get(name);
		}
		if (ambiguous.contains(name)) {
			return "kallsyms has several functions of that name, so it is not probed by name";
		}
		if (functionFilter != null && !functionFilter.matcher(name).find()) {
			return "the functions regex \"" + functionFilter.pattern() + "\" excludes it";
		}
		Kallsyms kallsyms = kallsyms();
		String module = kallsyms.address(name).stream().mapToObj(kallsyms::symbolize)
				.flatMap(java.util.Optional::stream).map(io.tracepackets.internal.symbols.Symbol::module)
				.filter(java.util.Objects::nonNull).findFirst().orElse(null);
		if (module != null && !Files.exists(Path.of("/sys/kernel/btf", module))) {
			// The skb functions are found by their BTF prototypes, which modules have only with
			// CONFIG_DEBUG_INFO_BTF_MODULES (5.11+): Debian 11's 5.10 has none.
			return "it is in the module " + module + ", and the kernel has no BTF for it (no /sys/kernel/btf/" + module
					+ "; module BTF needs Linux 5.11+ with CONFIG_DEBUG_INFO_BTF_MODULES), so its arguments are unknown"
					+ " and it is not probed; trace a function of vmlinux on the same path instead";
		}
		if (sessionKallsyms.get().count(name) == 0) {
			return "it appeared after the tracer started (a module loaded since): probes are attached once per"
					+ " tracer; load the module before the first test";
		}
		return "it takes no struct sk_buff * in its first five arguments, or cannot be traced, so it is not probed";
	}

	@Override
	public List<String> suggestions(String name) {
		List<String> tracepoints = new ArrayList<>();
		for (Tracepoint tracepoint : Tracepoint.values()) {
			tracepoints.add(tracepoint.eventName());
		}
		Set<String> result = new LinkedHashSet<>(NearestNames.suggest(name, tracepoints, 3));
		result.addAll(NearestNames.suggest(name, kallsyms().functionNames(), 5));
		return List.copyOf(result).subList(0, Math.min(5, result.size()));
	}

	@Override
	public String kindOf(String name) {
		return Tracepoint.byName(name).isPresent() ? "a tracepoint"
				: name.equals(PacketEvent.SOCKET_RECEIVE) ? "a hook" : "a kernel function";
	}

	@Override
	public List<String> dropReasonSuggestions(String name) {
		return NearestNames.suggest(name, dropReasons.get(), 5);
	}

	@Override
	public Set<String> observed() {
		return observed;
	}

	@Override
	public List<String> dropReasons() {
		return dropReasons.get();
	}
}
