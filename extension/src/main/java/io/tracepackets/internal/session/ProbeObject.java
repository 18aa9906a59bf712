package io.tracepackets.internal.session;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.tracepackets.ReturnValue;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.bpf.BpfMap;
import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.internal.bpf.BpfProgram;
import io.tracepackets.internal.btf.KernelFunctions;
import io.tracepackets.internal.ffi.Errno;
import io.tracepackets.internal.ffi.NativeException;
import io.tracepackets.internal.pcap.PcapFilter;
import io.tracepackets.internal.pcap.PcapFilterInjection;
import io.tracepackets.internal.symbols.Kallsyms;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The session's BPF object (bpf/tracepackets.bpf.c) and what it is set to before and at load: the
 * pcap filter patched into its bytes, the ring buffer's size, the packet bytes each event carries,
 * the copy functions' addresses, the programs loaded, and the probes' options. Its maps are the
 * session's: every other object (socket hook, XDP verdicts, a benchmark's feed) writes into them.
 */
final class ProbeObject implements AutoCloseable {

	/** The probes as built plain, for kernels before 6.14. */
	static final String PLAIN_RESOURCE = "io/tracepackets/bpf/tracepackets.bpf.o";
	/**
	 * The same probes with interrupts off while they work on a packet in scope (bpf/Makefile,
	 * irqs_off in bpf/include/skb_events.bpf.h), for kernels with the kfuncs that do it.
	 */
	static final String IRQS_OFF_RESOURCE = "io/tracepackets/bpf/tracepackets_irqs_off.bpf.o";
	/**
	 * The guarded probes built for the probe-cost benchmark (bpf/Makefile, TP_BENCH_FIELDS), whose
	 * {@code tp_load.fields} says which of an event's fields they fill; on the bench's and the
	 * tests' class path only, never in the extension jar.
	 */
	static final String BENCH_FIELDS_RESOURCE = "io/tracepackets/bpf/bench/tracepackets_fields.bpf.o";
	/** enum tp_fields (bpf/include/tracepackets.h). */
	private static final int FIELDS_ALL = 0;
	private static final int FIELDS_NONE = 1;
	private static final int FIELDS_IDENTITY = 2;
	private static final int FIELDS_STAGED = 3;
	private static final String[] IRQ_KFUNCS = { "bpf_local_irq_save", "bpf_local_irq_restore" };
	/** The name of the object and of its siblings: their internal maps' names start with it, and must pair up. */
	private static final String NAME = "tracepackets";
	private static final Path LOADAVG = Path.of("/proc/loadavg");
	/**
	 * Null: {@link #load} decides by {@link #aCpuIsFree}; true or false: side by side or not,
	 * whatever the machine does (tests of both ways).
	 */
	static volatile Boolean sideBySide;
	static final String MARKER_PROGRAM = "emit_marker";
	/** The section holding {@code config} (bpf/include/skb_events.bpf.h): global data, a map of its own. */
	static final String CONFIG_MAP = ".data.config";
	/** The maps every other object of a session (socket hook, XDP verdicts, benchmark feed) shares with this one. */
	static final List<String> SHARED_MAPS = List.of(ProbeObject.CONFIG_MAP, "netns_filter", "events", "counters", "counts",
			"hook_counts", "stacks", "journey_of_copy");
	/** The section holding {@code tp_load} (bpf/include/skb_events.bpf.h), a map of its own. */
	static final String LOAD_OPTIONS_MAP = ".rodata.snap";
	/** The section holding {@code tp_copy_ip} (bpf/tracepackets.bpf.c), a map of its own. */
	static final String COPY_ADDRESSES_MAP = ".rodata.copies";
	/** enum tp_stacks (bpf/include/tracepackets.h). */
	static final int STACKS_NETFILTER = 0;
	static final int STACKS_ALL = 1;

	/**
	 * The functions that hand a packet on in a new skb (bpf/tracepackets.bpf.c, COPY_PROBES): the
	 * new skb joins its parent's journey. pskb_copy is inline; its body is __pskb_copy_fclone. In
	 * the order of the BPF side's COPY_INDEX_* (tp_copy_ip).
	 */
	static final List<String> COPY_FUNCTIONS = List.of("skb_clone", "skb_copy", "__pskb_copy_fclone",
			"skb_copy_expand");

	/** The section holding {@code tp_return_ip} (bpf/tracepackets.bpf.c), a map of its own. */
	static final String RETURN_ADDRESSES_MAP = ".rodata.returns";

	/**
	 * The functions whose return value the function backends record (bpf/tracepackets.bpf.c,
	 * RETURN_PROBES; {@code ReturnValue.RECORDED}), in the order of the BPF side's RETURN_INDEX_*.
	 */
	static final List<String> RETURN_FUNCTIONS = ReturnValue.RECORDED;

	private final BpfObject object;
	/** The bytes {@link #object} was opened from, for its siblings. */
	private final byte[] elf;
	/** Objects of the same bytes whose programs were loaded beside this one's (see {@link #load}); guarded by this. */
	private final List<BpfObject> siblings = new ArrayList<>();
	/** The sibling that loaded each of their programs; guarded by this. */
	private final Map<String, BpfObject> loadedBy = new HashMap<>();
	private final UnaryOperator<byte[]> filter;

	private ProbeObject(BpfObject object, byte[] elf, UnaryOperator<byte[]> filter) {
		this.object = object;
		this.elf = elf;
		this.filter = filter;
	}

	/**
	 * The object for the running kernel. Where a program can turn interrupts off (6.14+), the
	 * guarded one: a probe that an interrupt or, on kernels that preempt BPF programs (7.x), another
	 * task runs again on the same CPU while it works is skipped by the kernel, an event lost, and
	 * the guard keeps them out for the microsecond it works. Elsewhere the plain one: a kfunc call
	 * the kernel does not know fails the load even as dead code on some kernels (5.13 to 5.17).
	 * Without {@link ProbePart#IRQ_GUARD}: the plain one anyway (a benchmark's baseline); without
	 * an event's fields or its own record, the benchmark's own build of the guarded one.
	 */
	static String resource(TracerOptions options) {
		boolean benchBuild = options.omits(ProbePart.PACKET_FIELDS) || options.omits(ProbePart.EVENT_FIELDS)
				|| options.omits(ProbePart.EVENT_RECORDS);
		boolean guarded = KernelFunctions.has(IRQ_KFUNCS);
		if (benchBuild) {
			if (!guarded || options.omits(ProbePart.IRQ_GUARD)) {
				throw new TracingUnavailableException("the probe-cost benchmark's build", "events without some of"
						+ " their fields or their own records are built only as the guarded probes, which need"
						+ " bpf_local_irq_save (kernel 6.14+) and the guard: leave out those or the guard, not both");
			}
			return BENCH_FIELDS_RESOURCE;
		}
		return !options.omits(ProbePart.IRQ_GUARD) && guarded ? IRQS_OFF_RESOURCE : PLAIN_RESOURCE;
	}

	/**
	 * Opens the object {@code resource} ({@link #resource}, as the backend choice tried it) with the
	 * pcap filter written into it and sets what must be set before load; nothing is loaded yet (see
	 * {@link #load}). {@code kallsyms}: null without a function backend, whose copy programs alone
	 * need the functions' addresses (zero, the object's own, otherwise).
	 */
	static ProbeObject open(String resource, TracerOptions options, Kallsyms kallsyms) {
		UnaryOperator<byte[]> filter = filterInjection(options);
		byte[] elf = filter.apply(BpfObject.readResource(resource));
		BpfObject object = BpfObject.open(NAME, elf);
		try {
			object.map("events").setMaxEntries(options.ringBufferBytes());
			setLoadOptions(object, options);
			if (kallsyms != null) {
				setAddresses(object, COPY_ADDRESSES_MAP, COPY_FUNCTIONS, kallsyms);
				setAddresses(object, RETURN_ADDRESSES_MAP, RETURN_FUNCTIONS, kallsyms);
			}
			return new ProbeObject(object, elf, filter);
		} catch (RuntimeException | Error e) {
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

	/** The pcap filter's patch, for the session's other objects that filter packets too. */
	UnaryOperator<byte[]> filter() {
		return filter;
	}

	/**
	 * Before load: the read-only options of {@code object}'s probes ({@code struct tp_load_options},
	 * bpf/include/tracepackets.h): how many packet bytes each event carries ({@code snapLength}; with
	 * 0 the verifier drops the capture code from every probe), whether they count events, and which
	 * of an event's fields they fill (read by the benchmark's build only).
	 */
	static void setLoadOptions(BpfObject object, TracerOptions options) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment values = arena.allocate(JAVA_INT, 3);
			values.setAtIndex(JAVA_INT, 0, options.snapLength());
			values.setAtIndex(JAVA_INT, 1, options.omits(ProbePart.COUNTS) ? 1 : 0);
			values.setAtIndex(JAVA_INT, 2, options.omits(ProbePart.EVENT_FIELDS) ? FIELDS_NONE
					: options.omits(ProbePart.PACKET_FIELDS) ? FIELDS_IDENTITY
					: options.omits(ProbePart.EVENT_RECORDS) ? FIELDS_STAGED : FIELDS_ALL);
			object.map(LOAD_OPTIONS_MAP).setInitialValue(values);
		}
	}
	/**
	 * Before load: the addresses of the copy functions ({@link #COPY_FUNCTIONS}) or of the functions
	 * whose return is recorded ({@link #RETURN_FUNCTIONS}), in the list's order (0 for one the kernel
	 * lacks), which their fentry and fexit programs report where the kernel has no bpf_get_func_ip
	 * (before 5.15); elsewhere the verifier drops them as dead code.
	 */
	private static void setAddresses(BpfObject object, String section, List<String> functions, Kallsyms kallsyms) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment addresses = arena.allocate(JAVA_LONG, functions.size());
			for (int i = 0; i < functions.size(); i++) {
				addresses.setAtIndex(JAVA_LONG, i, kallsyms.address(functions.get(i)).orElse(0));
			}
			object.map(section).setInitialValue(addresses);
		}
	}

	/** The object before load, for the function backend's preparation ({@code beforeLoad}) and its attach. */
	BpfObject bpf() {
		return object;
	}

	/**
	 * Loads {@code programs} (no other), which creates the session's maps, and {@code spread}; then
	 * writes the probes' settings ({@code struct tp_options}) before anything is attached: which
	 * drops take a kernel stack ({@code enum tp_stacks}). {@code alongside}, which needs only the
	 * maps (the socket hook), runs meanwhile; when this returns or throws, it has ended.
	 *
	 * <p>The verifier takes ~3.5 ms per tracepoint program on 6.18 (twice that in the plain build),
	 * and libbpf loads an object's programs one after the other: most of a cold start. So, when
	 * another CPU is free ({@link #aCpuIsFree}),
	 * {@code spread} is loaded in two sibling objects opened from the same bytes, which use every
	 * map of this one (its global data included) and are verified side by side, the second with
	 * {@code alongside} after it. {@link #program} finds a program in whichever object loaded it.
	 * On a busy machine the siblings' extra work (each opens and relocates the object again, ~15
	 * ms) costs more than the overlap saves, so everything loads in this one object, as on one CPU.
	 */
	void load(Collection<String> programs, List<String> spread, boolean allDropStacks, Runnable alongside) {
		Boolean forced = sideBySide;
		boolean beside = spread.size() > 1 && (forced != null ? forced : aCpuIsFree());
		List<String> first = new ArrayList<>(programs);
		if (!beside) {
			first.addAll(spread);
		}
		object.autoloadOnly(first);
		loadExplained(object);
		if (beside) {
			int half = (spread.size() + 1) / 2;
			loadBeside(spread.subList(0, half), spread.subList(half, spread.size()), alongside);
		} else {
			alongside.run();
		}
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment value = arena.allocate(8);
			value.set(JAVA_INT, 0, allDropStacks ? STACKS_ALL : STACKS_NETFILTER);
			object.map("options").put(0, value);
		}
	}

	/**
	 * Whether another CPU than the one running this thread is free now: the kernel's count of
	 * runnable threads ({@code /proc/loadavg}), this one included, is at most the CPUs this JVM may
	 * use. False when it cannot be read.
	 */
	static boolean aCpuIsFree() {
		int cpus = Runtime.getRuntime().availableProcessors();
		if (cpus < 2) {
			return false;
		}
		try {
			// "0.52 0.58 0.59 2/467 12345": the fourth field is running/existing
			String running = Files.readString(LOADAVG).split(" ")[3];
			return Integer.parseInt(running.substring(0, running.indexOf('/'))) <= cpus;
		} catch (IOException | RuntimeException e) {
			return false;
		}
	}

	/** Loads {@code here} in a sibling on this thread and {@code there}, then {@code alongside}, on another. */
	private void loadBeside(List<String> here, List<String> there, Runnable alongside) {
		AtomicReference<Throwable> otherFailure = new AtomicReference<>();
		Thread other = Thread.ofPlatform().name("tracepackets-load").start(() -> {
			try {
				loadSibling(there);
			} catch (Throwable t) {
				otherFailure.set(t);
			}
			try {
				alongside.run();
			} catch (Throwable t) {
				if (!otherFailure.compareAndSet(null, t)) {
					otherFailure.get().addSuppressed(t);
				}
			}
		});
		Throwable failure = null;
		try {
			loadSibling(here);
		} catch (Throwable t) {
			failure = t;
		}
		boolean interrupted = false;
		while (true) {
			try {
				other.join();
				break;
			} catch (InterruptedException e) {
				// the other thread holds objects of this session: it must end before anything is freed
				interrupted = true;
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
		if (failure == null) {
			failure = otherFailure.get();
		} else if (otherFailure.get() != null) {
			failure.addSuppressed(otherFailure.get());
		}
		if (failure instanceof RuntimeException e) {
			throw e;
		}
		if (failure instanceof Error e) {
			throw e;
		}
	}

	/** Opens a sibling of the same bytes, makes it use this object's maps, and loads {@code programs} in it. */
	private void loadSibling(List<String> programs) {
		BpfObject sibling = BpfObject.open(NAME, elf);
		synchronized (this) {
			siblings.add(sibling);
		}
		sibling.reuseEveryMapOf(object);
		sibling.autoloadOnly(programs);
		loadExplained(sibling);
		synchronized (this) {
			programs.forEach(program -> loadedBy.put(program, sibling));
		}
	}

	/** Loads {@code bpf}, turning a refusal for want of privileges into the reason and what to do. */
	private static void loadExplained(BpfObject bpf) {
		try {
			bpf.load();
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
	 * Makes {@code other} (opened, not loaded) use this object's shared maps, so what its programs
	 * emit lands in this session's ring buffer and obeys its namespace filter.
	 */
	void shareMapsWith(BpfObject other) {
		for (String map : SHARED_MAPS) {
			other.map(map).reuse(object.map(map));
		}
	}

	BpfMap map(String name) {
		return object.map(name);
	}

	/** The program {@code name} of whichever object loaded it (this one's, if none did). */
	synchronized BpfProgram program(String name) {
		return loadedBy.getOrDefault(name, object).program(name);
	}

	/** Frees the objects (their maps and programs); detach their links first. */
	@Override
	public synchronized void close() {
		siblings.forEach(BpfObject::close);
		siblings.clear();
		loadedBy.clear();
		object.close();
	}
}
