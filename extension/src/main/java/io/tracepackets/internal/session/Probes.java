package io.tracepackets.internal.session;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.tracepackets.Backend;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.backend.AttachResult;
import io.tracepackets.internal.backend.BackendDetector;
import io.tracepackets.internal.backend.BackendSelection;
import io.tracepackets.internal.backend.FunctionAttacher;
import io.tracepackets.internal.backend.ProbeTargets;
import io.tracepackets.internal.bpf.BpfMap;
import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.internal.bpf.BpfProgram;
import io.tracepackets.internal.btf.SkbFunction;
import io.tracepackets.internal.event.Tracepoint;
import io.tracepackets.internal.ffi.Errno;
import io.tracepackets.internal.ffi.NativeException;
import io.tracepackets.internal.libbpf.LibBpf;
import io.tracepackets.internal.pcap.PcapFilter;
import io.tracepackets.internal.pcap.PcapFilterInjection;
import io.tracepackets.internal.symbols.Kallsyms;
import io.tracepackets.internal.symbols.NearestNames;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The probes of a session: the backend chosen for the kernel, the loaded BPF object, and every
 * link attached from it (tracepoints, kernel functions, the socket_receive hook). Owns the object
 * and its links; {@link #detach()} then {@link #close()} free them in libbpf's order.
 */
final class Probes implements AutoCloseable {

	private static final Logger LOG = LoggerFactory.getLogger(Probes.class);
	static final String OBJECT_RESOURCE = "io/tracepackets/bpf/tracepackets.bpf.o";
	static final String MARKER_PROGRAM = "emit_marker";
	static final String BURST_PROGRAM = "emit_burst";
	/** The benchmark's synthetic feed: its own object (never in the jar), sharing this one's maps. */
	private static final String BURST_RESOURCE = "io/tracepackets/bpf/bench/burst.bpf.o";
	/** The maps every other object of a session (socket hook, benchmark feed) shares with this one. */
	static final List<String> SHARED_MAPS = List.of("config", "netns_filter", "events", "counters", "stacks",
			"journey_of_copy");
	/** The section holding {@code tp_snap_len} (bpf/include/skb_events.bpf.h), a map of its own. */
	static final String SNAP_LENGTH_MAP = ".rodata.snap";
	/** enum tp_stacks (bpf/include/tracepackets.h). */
	static final int STACKS_NETFILTER = 0;
	static final int STACKS_ALL = 1;

	private final BpfObject object;
	/** The benchmark-only object, loaded on request; null otherwise. */
	private final BpfObject burst;
	/** Tracepoint links, in attach order. */
	private final List<AutoCloseable> links = new ArrayList<>();
	/** Kernel-function links: hundreds to thousands, closed in parallel (see {@link #detach()}). */
	private final List<AutoCloseable> functionLinks = new ArrayList<>();
	private final BackendSelection selection;
	private final AttachResult functions;
	private final SocketReceiveHook socketHook;
	private final String socketHookStatus;
	private final Set<Tracepoint> attached = EnumSet.noneOf(Tracepoint.class);
	private final Duration loadTime;
	private final Duration attachTime;
	private volatile Duration detachTime = Duration.ZERO;
	/** Whether a copy program is attached, so the probes must look up copies' journeys. */
	private boolean followsCopies;

	private Probes(TracerOptions options, Kallsyms kallsyms) {
		// The copy functions this kernel has (an fexit program for a missing one would fail the load).
		List<String> copyFunctions = List.of();
		selection = selectBackend(options, kallsyms);
		Map<Integer, List<SkbFunction>> byPosition = selection.chosen() == Backend.TRACEPOINT ? Map.of()
				: selection.targets().byPosition();
		FunctionAttacher attacher = byPosition.isEmpty() ? null : FunctionAttacher.of(selection.chosen(), kallsyms);
		DescriptorBudget.check(selection.chosen(), byPosition.values().stream().mapToInt(List::size).sum(),
				byPosition.size());

		long started = System.nanoTime();
		UnaryOperator<byte[]> filter = filterInjection(options);
		object = BpfObject.openResource(OBJECT_RESOURCE, "tracepackets", filter);
		try {
			object.map("events").setMaxEntries(options.ringBufferBytes());
			setSnapLength(object, options.snapLength());
			setCopyAddresses(object, kallsyms);
			List<String> programs = new ArrayList<>(List.of(MARKER_PROGRAM));
			for (Tracepoint tracepoint : Tracepoint.values()) {
				programs.add(tracepoint.programName());
			}
			if (attacher != null) {
				byPosition.keySet().forEach(position -> programs.add(attacher.programName(position)));
				attacher.beforeLoad(object, byPosition);
				copyFunctions = COPY_FUNCTIONS.stream().filter(kallsyms.functionNames()::contains).toList();
				programs.addAll(copyPrograms(selection.chosen(), copyFunctions));
			}
			object.autoloadOnly(programs);
			load();
			writeOptions(options.allDropStacks());
			burst = options.loadBenchmarkPrograms() ? loadBurst(object) : null;
			loadTime = Duration.ofNanos(System.nanoTime() - started);

			long attachStarted = System.nanoTime();
			attachTracepoints();
			attachTime = Duration.ofNanos(System.nanoTime() - attachStarted);
			functions = attacher == null ? AttachResult.none()
					: attacher.attach(object, byPosition);
			functionLinks.addAll(functions.links());
			attachCopyPrograms(selection.chosen(), copyFunctions);
			SocketReceiveHook.Attempt hook = LibBpf.quietly(() -> SocketReceiveHook.attach(object, filter,
					options.snapLength()));
			socketHook = hook.hook().orElse(null);
			socketHookStatus = hook.why();
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
			detach();
			object.close();
			throw e;
		}
	}

	/**
	 * What to do to each probe object's bytes before libbpf opens it: with a pcap filter, write its
	 * translation into the placeholders (the socket hook's object gets the same filter).
	 */
	private static UnaryOperator<byte[]> filterInjection(TracerOptions options) {
		if (options.pcapFilter() == null) {
			return UnaryOperator.identity();
		}
		PcapFilter filter = PcapFilter.compile(options.pcapFilter());
		return elf -> PcapFilterInjection.inject(elf, filter);
	}

	/**
	 * The functions that hand a packet on in a new skb (bpf/tracepackets.bpf.c, COPY_PROBES): the
	 * new skb joins its parent's journey. pskb_copy is inline; its body is __pskb_copy_fclone. In
	 * the order of the BPF side's COPY_INDEX_* (tp_copy_ip).
	 */
	static final List<String> COPY_FUNCTIONS = List.of("skb_clone", "skb_copy", "__pskb_copy_fclone",
			"skb_copy_expand");

	/** The copy-following programs of a function backend: fexit for fentry, kprobe pairs otherwise. */
	private static List<String> copyPrograms(Backend backend, List<String> functions) {
		List<String> names = new ArrayList<>();
		for (String function : functions) {
			if (backend == Backend.FENTRY) {
				names.add("fexit_" + function);
			} else {
				names.add("kprobe_copy_" + function);
				names.add("kretprobe_copy_" + function);
			}
		}
		return names;
	}

	/**
	 * Attaches the copy-following programs. A function the kernel lacks (or inlined) only means its
	 * copies start journeys of their own, so a failure is logged, not fatal.
	 */
	private void attachCopyPrograms(Backend backend, List<String> functions) {
		for (String name : copyPrograms(backend, functions)) {
			try {
				functionLinks.add(object.program(name).attach());
				followsCopies = true;
			} catch (NativeException e) {
				LOG.warn("{} not attached, copies it makes start journeys of their own: {}", name, e.getMessage());
			}
		}
	}

	/**
	 * Before load: how many packet bytes each event of {@code object} carries ({@code tp_snap_len},
	 * a read-only global: with 0 the verifier drops the capture code from every probe).
	 */
	static void setSnapLength(BpfObject object, int snapLength) {
		try (Arena arena = Arena.ofConfined()) {
			object.map(SNAP_LENGTH_MAP).setInitialValue(arena.allocateFrom(JAVA_INT, snapLength));
		}
	}

	/** The section holding {@code tp_copy_ip} (bpf/tracepackets.bpf.c), a map of its own. */
	static final String COPY_ADDRESSES_MAP = ".rodata.copies";

	/**
	 * Before load: the copy functions' addresses, in {@link #COPY_FUNCTIONS}' order (0 for one the
	 * kernel lacks), which their fexit programs report where the kernel has no bpf_get_func_ip
	 * (before 5.15); elsewhere the verifier drops them as dead code.
	 */
	static void setCopyAddresses(BpfObject object, Kallsyms kallsyms) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment addresses = arena.allocate(JAVA_LONG, COPY_FUNCTIONS.size());
			for (int i = 0; i < COPY_FUNCTIONS.size(); i++) {
				addresses.setAtIndex(JAVA_LONG, i, kallsyms.address(COPY_FUNCTIONS.get(i)).orElse(0));
			}
			object.map(COPY_ADDRESSES_MAP).setInitialValue(addresses);
		}
	}

	/** Opens the benchmark's object on the main object's maps, so its events land in the same ring. */
	private static BpfObject loadBurst(BpfObject main) {
		BpfObject burst = BpfObject.openResource(BURST_RESOURCE, "tp_burst");
		try {
			for (String map : SHARED_MAPS) {
				burst.map(map).reuse(main.map(map));
			}
			burst.load();
			return burst;
		} catch (RuntimeException | Error e) {
			burst.close();
			throw e;
		}
	}

	/** The benchmark's synthetic event program; only when the session was started for benchmarks. */
	BpfProgram burstProgram() {
		if (burst == null) {
			throw new IllegalStateException("the benchmark programs were not loaded: start the session with"
					+ " TracerOptions.withBenchmarkPrograms()");
		}
		return burst.program(BURST_PROGRAM);
	}

	/**
	 * Picks the backend, loads and attaches; throws TracingUnavailableException with the reason.
	 * {@code kallsyms} supplies the names of the functions that can be probed.
	 */
	static Probes attach(TracerOptions options, Kallsyms kallsyms) {
		return new Probes(options, kallsyms);
	}

	private void load() {
		try {
			object.load();
		} catch (NativeException e) {
			if (e.errno() == Errno.EPERM || e.errno() == Errno.EACCES) {
				throw new TracingUnavailableException("tp_btf programs", "the kernel refused to load them ("
						+ Errno.describe(e.errno()) + "): run as root with CAP_BPF and CAP_PERFMON; in a container,"
						+ " --privileged; a lockdown=confidentiality kernel forbids BPF tracing", e);
			}
			throw e;
		}
	}

	/**
	 * The probes' settings ({@code struct tp_options}), written once before anything is attached:
	 * which drops take a kernel stack ({@code enum tp_stacks}).
	 */
	private void writeOptions(boolean allDropStacks) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment value = arena.allocate(8);
			value.set(JAVA_INT, 0, allDropStacks ? STACKS_ALL : STACKS_NETFILTER);
			object.map("options").put(0, value);
		}
	}

	private void attachTracepoints() {
		for (Tracepoint tracepoint : Tracepoint.values()) {
			try {
				links.add(object.program(tracepoint.programName()).attach());
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

	private static BackendSelection selectBackend(TracerOptions options, Kallsyms kallsyms) {
		if (options.backend() == Backend.TRACEPOINT) {
			return new BackendSelection(Backend.TRACEPOINT, Map.of(), null, "requested");
		}
		ProbeTargets targets = ProbeTargets.discover(options.functions(), kallsyms);
		if (targets.isEmpty() && options.functions() == null && options.backend() == Backend.AUTO) {
			return new BackendSelection(Backend.TRACEPOINT, Map.of(), targets,
					"no skb function of this kernel can be probed (" + targets + ")");
		}
		if (targets.isEmpty()) {
			String regex = options.functions() == null ? "(all)" : options.functions().pattern();
			List<String> near = options.functions() == null ? List.of()
					: NearestNames.suggest(regex, kallsyms.functionNames(), 5);
			throw new IllegalArgumentException("functions = \"" + regex + "\" matches no probeable skb function of"
					+ " the running kernel (" + targets + ")" + (near.isEmpty() ? "" : "; did you mean: "
							+ String.join(", ", near)));
		}
		return new BackendDetector(OBJECT_RESOURCE, kallsyms).select(options.backend(), targets);
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
		return detachTime;
	}

	/** The kernel stack of a drop, innermost first; empty when the id is unknown or none was taken. */
	long[] stack(int stackId) {
		if (stackId < 0) {
			return new long[0];
		}
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment frames = arena.allocate(JAVA_LONG, 32);
			if (!object.map("stacks").lookup(arena.allocateFrom(JAVA_INT, stackId), frames)) {
				return new long[0];
			}
			int depth = 0;
			while (depth < 32 && frames.getAtIndex(JAVA_LONG, depth) != 0) {
				depth++;
			}
			long[] result = new long[depth];
			MemorySegment.copy(frames, JAVA_LONG, 0, result, 0, depth);
			return result;
		}
	}

	String describe() {
		return "backend=" + selection.chosen() + " functions=" + functions.attached().size() + " ("
				+ functions.time().toMillis() + " ms, " + Math.round(functions.rate()) + " probes/s) tracepoints="
				+ attached.size() + ", load " + loadTime.toMillis() + " ms, attach " + attachTime.toMillis()
				+ " ms; socket_receive " + (socketHook != null ? socketHookStatus : "not attached: " + socketHookStatus)
				+ "; " + selection.describe();
	}

	/** The tracepoint and kernel-function links, while attached: what {@link SkippedRuns} counts. */
	List<AutoCloseable> attachedLinks() {
		List<AutoCloseable> all = new ArrayList<>(links);
		all.addAll(functionLinks);
		return all;
	}

	/**
	 * Detaches every probe; the object stays loaded. Idempotent. Each kernel-function link's
	 * release waits for an RCU grace period (kprobes: synchronize_rcu; fentry trampolines: RCU
	 * tasks), so one after the other, 1,500 of them take minutes; closed from many threads at once,
	 * the kernel lets their waits share grace periods.
	 */
	void detach() {
		long started = System.nanoTime();
		boolean any = !links.isEmpty() || !functionLinks.isEmpty();
		if (socketHook != null) {
			socketHook.close();
		}
		closeInParallel(functionLinks);
		functionLinks.clear();
		for (int i = links.size() - 1; i >= 0; i--) {
			close(links.get(i));
		}
		links.clear();
		if (any) {
			detachTime = Duration.ofNanos(System.nanoTime() - started);
		}
	}

	/** Threads that close function links at once: enough to overlap grace periods, few enough to be cheap. */
	private static final int DETACH_THREADS = 64;

	private static void closeInParallel(List<AutoCloseable> toClose) {
		if (toClose.size() < 2) {
			toClose.forEach(Probes::close);
			return;
		}
		int threads = Math.min(DETACH_THREADS, toClose.size());
		java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
		List<Thread> workers = new ArrayList<>(threads);
		for (int t = 0; t < threads; t++) {
			// Platform threads: a close is a blocking native call, which would pin a virtual thread anyway.
			workers.add(Thread.ofPlatform().name("tracepackets-detach-" + t).daemon().start(() -> {
				for (int i = next.getAndIncrement(); i < toClose.size(); i = next.getAndIncrement()) {
					close(toClose.get(i));
				}
			}));
		}
		for (Thread worker : workers) {
			try {
				worker.join();
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	private static void close(AutoCloseable link) {
		try {
			link.close();
		} catch (Exception e) {
			LOG.warn("detach failed: {}", e.toString());
		}
	}

	/** Detaches what is left and frees the BPF object (its maps and programs). */
	@Override
	public void close() {
		detach();
		if (burst != null) {
			burst.close();
		}
		object.close();
	}
}
