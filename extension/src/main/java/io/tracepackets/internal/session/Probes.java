package io.tracepackets.internal.session;

import io.tracepackets.PacketEvent;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.backend.AttachResult;
import io.tracepackets.internal.backend.BackendChoice;
import io.tracepackets.internal.backend.BackendSelection;
import io.tracepackets.internal.bootcache.BootCache;
import io.tracepackets.internal.backend.FunctionBackend;
import io.tracepackets.internal.bpf.BpfMap;
import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.internal.bpf.BpfProgram;
import io.tracepackets.internal.btf.SkbFunction;
import io.tracepackets.internal.event.Tracepoint;
import io.tracepackets.internal.ffi.NativeException;
import io.tracepackets.internal.libbpf.LibBpf;
import io.tracepackets.internal.symbols.Kallsyms;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The attached probes of a session: on the {@link ProbeObject}, the backend {@link BackendChoice}
 * chose attaches its programs to the kernel functions, and every session attaches the tracepoints,
 * the copy programs of a function backend and the socket_receive hook. Owns the object and its
 * {@link ProbeLinks}; {@link #detach()} then {@link #close()} free them in libbpf's order.
 */
final class Probes implements AutoCloseable {

	private static final Logger LOG = LoggerFactory.getLogger(Probes.class);

	private final ProbeObject object;
	private final ProbeLinks links = new ProbeLinks();
	private final BackendSelection selection;
	private final AttachResult functions;
	private final SocketReceiveHook socketHook;
	private final String socketHookStatus;
	private final Set<Tracepoint> attached = EnumSet.noneOf(Tracepoint.class);
	private final Duration loadTime;
	private final Duration attachTime;
	/** Whether a copy program is attached, so the probes must look up copies' journeys. */
	private boolean followsCopies;
	/** The functions whose return value is recorded: both programs of their pair attached. */
	private final Set<String> recordedReturns = new LinkedHashSet<>();
	/** Why a function of ReturnValue.RECORDED is not recorded, by function. */
	private final Map<String, String> returnsMissing = new LinkedHashMap<>();

	private Probes(TracerOptions options, Supplier<Kallsyms> kallsyms) {
		String resource = ProbeObject.resource(options);
		selection = new BackendChoice(resource, kallsyms, BootCache.shared())
				.choose(options.backend(), options.functions());
		Optional<FunctionBackend> backend = selection.functionBackend();
		Map<Integer, List<SkbFunction>> byPosition = backend.isEmpty() ? Map.of() : selection.targets().byPosition();
		int functionCount = byPosition.values().stream().mapToInt(List::size).sum();
		DescriptorBudget.check(selection.chosen(),
				backend.map(b -> b.descriptors(functionCount, byPosition.size())).orElse(0L), functionCount);

		long started = System.nanoTime();
		// Only a function backend's copy programs use the functions' addresses: without one, kallsyms is not read here.
		object = ProbeObject.open(resource, options, backend.isPresent() ? kallsyms.get() : null);
		AtomicReference<SocketReceiveHook.Attempt> hookAttempt = new AtomicReference<>();
		try {
			List<String> programs = new ArrayList<>(List.of(ProbeObject.MARKER_PROGRAM));
			List<String> tracepointPrograms = new ArrayList<>();
			for (Tracepoint tracepoint : Tracepoint.values()) {
				tracepointPrograms.add(tracepoint.programName());
			}
			// The copy programs of the copy functions this kernel has (one for a missing function would fail the load).
			List<String> copyPrograms = new ArrayList<>();
			Map<String, List<String>> returnPrograms = new LinkedHashMap<>();
			if (backend.isPresent()) {
				byPosition.keySet().forEach(position -> programs.add(backend.get().programName(position)));
				backend.get().beforeLoad(object.bpf(), byPosition);
				ProbeObject.COPY_FUNCTIONS.stream().filter(kallsyms.get().functionNames()::contains)
						.forEach(function -> copyPrograms.addAll(backend.get().copyPrograms(function)));
				programs.addAll(copyPrograms);
				for (String function : ProbeObject.RETURN_FUNCTIONS) {
					if (kallsyms.get().functionNames().contains(function)) {
						returnPrograms.put(function, backend.get().returnPrograms(function));
						programs.addAll(returnPrograms.get(function));
					} else {
						returnsMissing.put(function, "this kernel has no function " + function + " to probe (inlined or"
								+ " absent from /proc/kallsyms)");
					}
				}
			} else {
				ProbeObject.RETURN_FUNCTIONS.forEach(function -> returnsMissing.put(function, "the "
						+ selection.chosen().label() + " backend probes no kernel function (return values need"
						+ " fentry/fexit, kprobe/kretprobe or kprobe-multi): " + selection.summary()));
			}
			// The socket hook: the probes' own program where they carry it (loaded among the
			// tracepoint programs, attached after), else an object of its own that needs only the
			// maps, loaded while the tracepoint programs are
			boolean hookBuiltIn = SocketReceiveHook.builtInto(object);
			SocketReceiveHook.Place hookPlace = hookBuiltIn ? SocketReceiveHook.place() : null;
			List<String> spread = new ArrayList<>(tracepointPrograms);
			if (hookBuiltIn && hookPlace.cgroup().isPresent()) {
				spread.add(PacketEvent.SOCKET_RECEIVE);
			}
			object.load(programs, spread, options.allDropStacks(), hookBuiltIn ? () -> { }
					: () -> hookAttempt.set(LibBpf.quietly(() -> SocketReceiveHook.attach(object, options))));
			if (hookBuiltIn) {
				hookAttempt.set(hookPlace.cgroup().map(cgroup -> SocketReceiveHook.attachBuiltIn(object, cgroup))
						.orElseGet(hookPlace::unattached));
			}
			socketHook = hookAttempt.get().hook().orElse(null);
			socketHookStatus = hookAttempt.get().why();
			loadTime = Duration.ofNanos(System.nanoTime() - started);

			long attachStarted = System.nanoTime();
			attachTracepoints();
			attachTime = Duration.ofNanos(System.nanoTime() - attachStarted);
			functions = backend.isEmpty() ? AttachResult.none()
					: backend.get().attach(object.bpf(), byPosition);
			links.addFunctions(functions.links());
			attachCopyPrograms(copyPrograms);
			attachReturnPrograms(returnPrograms);
			if (!functions.unsupported().isEmpty()) {
				LOG.info("{} of {} functions cannot be traced with {} on this kernel: {}", functions.unsupported().size(),
						selection.targets().functions().size(), selection.chosen(),
						AttachResult.byCause(functions.unsupported()));
			}
			if (!functions.failed().isEmpty()) {
				LOG.warn("{} of {} functions failed to attach with {}: {}", functions.failed().size(),
						selection.targets().functions().size(), selection.chosen(), AttachResult.byCause(functions.failed()));
			}
		} catch (RuntimeException | Error e) {
			SocketReceiveHook.Attempt attempt = hookAttempt.get();
			if (attempt != null) {
				attempt.hook().ifPresent(SocketReceiveHook::close);
			}
			detach();
			object.close();
			throw e;
		}
	}

	/**
	 * Picks the backend, loads and attaches; throws TracingUnavailableException with the reason.
	 * {@code kallsyms} supplies the names of the functions that can be probed, asked only when
	 * functions are.
	 */
	static Probes attach(TracerOptions options, Supplier<Kallsyms> kallsyms) {
		return new Probes(options, kallsyms);
	}

	private void attachTracepoints() {
		for (Tracepoint tracepoint : Tracepoint.values()) {
			try {
				links.addTracepoint(object.program(tracepoint.programName()).attach());
				attached.add(tracepoint);
			} catch (NativeException e) {
				// A kernel without one of the tracepoints still traces with the others.
				LOG.warn("tracepoint {} not attached: {}", tracepoint.qualifiedName(), e.getMessage());
			}
		}
		if (!attached.contains(Tracepoint.KFREE_SKB)) {
			throw new TracingUnavailableException("skb:kfree_skb tracepoint",
					"it could not be attached (see the log): drops cannot be traced");
		}
	}

	/**
	 * Attaches the copy-following programs. A function the kernel lacks (or inlined) only means its
	 * copies start journeys of their own, so a failure is logged, not fatal.
	 */
	private void attachCopyPrograms(List<String> names) {
		for (String name : names) {
			try {
				links.addFunction(object.program(name).attach());
				followsCopies = true;
			} catch (NativeException e) {
				LOG.warn("{} not attached, copies it makes start journeys of their own: {}", name, e.getMessage());
			}
		}
	}

	/**
	 * Attaches each recorded function's entry and return programs. A pair that does not attach whole
	 * records nothing (its half is detached with the rest at the end), and is logged: an assertion on
	 * that function's return value then says why it cannot answer.
	 */
	private void attachReturnPrograms(Map<String, List<String>> byFunction) {
		for (Map.Entry<String, List<String>> entry : byFunction.entrySet()) {
			try {
				for (String name : entry.getValue()) {
					links.addFunction(object.program(name).attach());
				}
				recordedReturns.add(entry.getKey());
			} catch (NativeException e) {
				returnsMissing.put(entry.getKey(), "its return probes did not attach: " + e.getMessage());
				LOG.warn("{}'s return value is not recorded: {}", entry.getKey(), e.getMessage());
			}
		}
	}

	/** The functions whose return value events carry (ReturnValue.RECORDED, as far as attached). */
	Set<String> recordedReturns() {
		return Collections.unmodifiableSet(recordedReturns);
	}

	/** Why each function of ReturnValue.RECORDED that {@link #recordedReturns()} lacks is not recorded. */
	Map<String, String> returnsMissing() {
		return Collections.unmodifiableMap(returnsMissing);
	}

	/** Whether a copy program (skb_clone, ...) is attached: the function backends' copies join journeys. */
	boolean followsCopies() {
		return followsCopies;
	}

	BpfMap map(String name) {
		return object.map(name);
	}

	BpfProgram program(String name) {
		return object.program(name);
	}

	/** See {@link ProbeObject#shareMapsWith}. */
	void shareMapsWith(BpfObject other) {
		object.shareMapsWith(other);
	}

	/** The backend in use, why, and why better ones were refused. */
	BackendSelection selection() {
		return selection;
	}

	/** The functions the function backend attached to (empty for tracepoints only). */
	AttachResult functions() {
		return functions;
	}

	Set<Tracepoint> attachedTracepoints() {
		return Collections.unmodifiableSet(attached);
	}

	boolean socketReceiveAttached() {
		return socketHook != null;
	}

	/** Where the hook is attached, or why it is not. */
	String socketReceiveStatus() {
		return socketHookStatus;
	}

	Duration loadTime() {
		return loadTime;
	}

	Duration attachTime() {
		return attachTime;
	}

	Duration detachTime() {
		return links.detachTime();
	}

	String describe() {
		return "backend=" + selection.chosen() + " functions=" + functions.attached().size() + " ("
				+ functions.time().toMillis() + " ms, " + Math.round(functions.rate()) + " probes/s) tracepoints="
				+ attached.size() + ", load " + loadTime.toMillis() + " ms, attach " + attachTime.toMillis()
				+ " ms; returns recorded " + (recordedReturns.isEmpty() ? "none" : String.join(",", recordedReturns))
				+ "; socket_receive " + (socketHook != null ? socketHookStatus : "not attached: " + socketHookStatus)
				+ "; " + selection.describe();
	}

	/** The tracepoint and kernel-function links, while attached: what {@link SkippedRuns} counts. */
	List<AutoCloseable> attachedLinks() {
		return links.all();
	}

	/** Detaches every probe; the object stays loaded. Idempotent. */
	void detach() {
		if (socketHook != null) {
			socketHook.close();
		}
		links.closeAll();
	}

	/** Detaches what is left and frees the BPF object (its maps and programs). */
	@Override
	public void close() {
		detach();
		object.close();
	}
}
