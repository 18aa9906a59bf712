package io.tracepackets.internal.session;

import io.tracepackets.internal.event.Tracepoint;
import io.tracepackets.internal.ffi.Libc;
import io.tracepackets.internal.libbpf.LibBpf;
import io.tracepackets.internal.link.Link;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntToLongFunction;

/**
 * The probe runs the kernel skipped: a program already running on a CPU is not run again there
 * (its {@code recursion_misses}: a packet freed in an interrupt that came while the kfree_skb probe
 * ran), and a kprobe that fired inside another kprobe's handler is dropped by the kprobe machinery
 * (the link's {@code missed}, 6.7+). Each is an event that never reached the ring buffer, with no
 * trace of whose packet it was; pwru warns about the same counter.
 *
 * <p>What the kernel does say is whose probe it was, and so at which probe point the event is
 * missing: a tracepoint's program, an fentry clone or a kprobe link serve one point; a program
 * attached to many functions (kprobe's shared program, kprobe-multi) counts for each of them. A
 * negative assertion about one point ({@code neverReached("udp_rcv")}) can then tell a skip that
 * may have hidden its answer from one elsewhere.
 *
 * <p>The programs and links are read once, at construction; {@link #read()} asks the kernel for
 * the counter of each distinct program (one syscall, on an fd held until {@link #close()}) and
 * each kprobe link.
 * Counters a kernel lacks (before 5.12 for programs, 6.7 for links) count as 0.
 */
public final class SkippedRuns implements AutoCloseable {

	/** The point of a program attached to many kernel functions at once: it counts for every function. */
	static final String EVERY_FUNCTION = "*";

	/** Program id to the probe points it serves. */
	private final Map<Integer, Set<String>> programPoints;
	/** kprobe link fd to its function. */
	private final Map<Integer, String> kprobeLinkPoints;
	/** Points served by a tracepoint (a program of its own), which no multi-function program covers. */
	private final Set<String> tracepoints;
	private final IntToLongFunction programMisses;
	private final IntToLongFunction linkMisses;
	/** What {@link #close()} lets go of. */
	private final AutoCloseable held;

	SkippedRuns(Map<Integer, Set<String>> programPoints, Map<Integer, String> kprobeLinkPoints,
			Set<String> tracepoints, IntToLongFunction programMisses, IntToLongFunction linkMisses) {
		this(programPoints, kprobeLinkPoints, tracepoints, programMisses, linkMisses, () -> {
		});
	}

	private SkippedRuns(Map<Integer, Set<String>> programPoints, Map<Integer, String> kprobeLinkPoints,
			Set<String> tracepoints, IntToLongFunction programMisses, IntToLongFunction linkMisses,
			AutoCloseable held) {
		this.held = held;
		this.programPoints = programPoints;
		this.kprobeLinkPoints = kprobeLinkPoints;
		this.tracepoints = tracepoints;
		this.programMisses = programMisses;
		this.linkMisses = linkMisses;
	}

	/**
	 * The counters of {@code links}' programs, and of those that are kprobes. A link's probe point
	 * is read from its name: {@code fentry/<function>}, {@code <program>@<function>} (kprobe),
	 * {@code <program>@<n> functions} (kprobe-multi: every function), else the name itself (a
	 * tracepoint's program is named for its event; a copy-following program, for itself).
	 */
	public static SkippedRuns of(List<? extends AutoCloseable> links) {
		Map<Integer, Set<String>> programs = new LinkedHashMap<>();
		Map<Integer, String> kprobes = new LinkedHashMap<>();
		Set<String> tracepoints = new LinkedHashSet<>();
		for (AutoCloseable candidate : links) {
			if (!(candidate instanceof Link link) || link.fd() < 0) {
				continue;
			}
			String point = pointOf(link.name());
			LibBpf.linkInfo(link.fd()).ifPresent(info -> {
				programs.computeIfAbsent(info.programId(), id -> new LinkedHashSet<>()).add(point);
				if (info.missed() >= 0) {
					kprobes.put(link.fd(), point);
				}
			});
			if (Tracepoint.byName(link.name()).isPresent()) {
				tracepoints.add(point);
			}
		}
		HeldPrograms held = HeldPrograms.open(programs.keySet());
		return new SkippedRuns(programs, kprobes, tracepoints, held::recursionMisses,
				fd -> LibBpf.linkInfo(fd).map(info -> Math.max(0, info.missed())).orElse(0L), held);
	}

	/**
	 * An fd on each counted program, held for the session's life: every window reads the counters
	 * at its start and at its end, and reaching a program by its id costs two more syscalls each
	 * time (open, close), which with fentry's clone per function is thousands per test. As many as
	 * the open-file limit leaves room for, beyond {@link DescriptorBudget#HEADROOM}; the rest are
	 * reached by id.
	 */
	private static final class HeldPrograms implements AutoCloseable {

		/** Program id to the fd held on it; emptied at close, when every read counts 0. */
		private final Map<Integer, Integer> fds;
		/** Where each read's info lands: every window reads every program twice. */
		private final MemorySegment infoRoom = LibBpf.programInfoRoom(Arena.ofAuto());
		private boolean closed;

		private HeldPrograms(Map<Integer, Integer> fds) {
			this.fds = fds;
		}

		static HeldPrograms open(Set<Integer> ids) {
			Map<Integer, Integer> fds = new HashMap<>();
			long room = Libc.openFileLimit().soft() - DescriptorBudget.openDescriptors() - DescriptorBudget.HEADROOM;
			for (int id : ids) {
				if (fds.size() >= room) {
					break;
				}
				try {
					fds.put(id, LibBpf.programFdById(id, "BPF program " + id));
				} catch (RuntimeException gone) {
					// read by id then, which counts a gone program as 0
				}
			}
			return new HeldPrograms(fds);
		}

		synchronized long recursionMisses(int id) {
			if (closed) {
				return 0;
			}
			Integer fd = fds.get(id);
			long[] counters = fd == null ? LibBpf.programRunCounters(id) : LibBpf.programRunCountersOfFd(fd, infoRoom);
			return counters == null ? 0 : Math.max(0, counters[2]);
		}

		@Override
		public synchronized void close() {
			closed = true;
			fds.values().forEach(Libc::close);
			fds.clear();
		}
	}

	/** Lets go of the programs' fds: a closed session reads no counter. */
	@Override
	public void close() {
		try {
			held.close();
		} catch (Exception e) {
			throw new IllegalStateException(e);
		}
	}

	/** The probe point a link's name says it serves. */
	static String pointOf(String linkName) {
		if (linkName.startsWith("fentry/")) {
			return linkName.substring("fentry/".length());
		}
		int at = linkName.lastIndexOf('@');
		if (at < 0) {
			return linkName;
		}
		String target = linkName.substring(at + 1);
		return target.matches("\\d+ functions") ? EVERY_FUNCTION : target;
	}

	/** Reads every counter now: runs skipped since the programs were loaded, over every CPU and namespace. */
	public Counts read() {
		Map<Integer, Long> programs = new HashMap<>();
		programPoints.keySet().forEach(id -> programs.put(id, programMisses.applyAsLong(id)));
		Map<Integer, Long> kprobes = new HashMap<>();
		kprobeLinkPoints.keySet().forEach(fd -> kprobes.put(fd, linkMisses.applyAsLong(fd)));
		return new Counts(programs, kprobes);
	}

	/** Counts nothing: what a closed session reads. */
	public Counts none() {
		return new Counts(Map.of(), Map.of());
	}

	/** Runs skipped since the programs were loaded, over every CPU and namespace. */
	public long total() {
		return read().total();
	}

	/** How many programs and kprobe links are counted, for the log. */
	@Override
	public String toString() {
		return "SkippedRuns[" + programPoints.size() + " programs, " + kprobeLinkPoints.size() + " kprobe links]";
	}

	/** The counters at one moment, or (from {@link #since}) their growth between two. */
	public final class Counts {

		private final Map<Integer, Long> programs;
		private final Map<Integer, Long> kprobeLinks;

		private Counts(Map<Integer, Long> programs, Map<Integer, Long> kprobeLinks) {
			this.programs = programs;
			this.kprobeLinks = kprobeLinks;
		}

		/** What each counter grew by since {@code earlier}; a counter gone since (closed session) grew by 0. */
		public Counts since(Counts earlier) {
			Map<Integer, Long> programGrowth = new HashMap<>();
			programs.forEach((id, now) -> programGrowth.put(id, Math.max(0, now - earlier.programs.getOrDefault(id, now))));
			Map<Integer, Long> linkGrowth = new HashMap<>();
			kprobeLinks.forEach((fd, now) -> linkGrowth.put(fd, Math.max(0, now - earlier.kprobeLinks.getOrDefault(fd, now))));
			return new Counts(programGrowth, linkGrowth);
		}

		/** Every skipped run. */
		public long total() {
			return programs.values().stream().mapToLong(Long::longValue).sum()
					+ kprobeLinks.values().stream().mapToLong(Long::longValue).sum();
		}

		/**
		 * The skipped runs that could have been an event at {@code point}: those of the programs
		 * serving it (a program serving many functions counts for each), and of its kprobe link.
		 */
		public long at(String point) {
			boolean function = !tracepoints.contains(point);
			long skipped = 0;
			for (Map.Entry<Integer, Long> program : programs.entrySet()) {
				Set<String> points = programPoints.getOrDefault(program.getKey(), Set.of());
				if (points.contains(point) || function && points.contains(EVERY_FUNCTION)) {
					skipped += program.getValue();
				}
			}
			for (Map.Entry<Integer, Long> link : kprobeLinks.entrySet()) {
				if (point.equals(kprobeLinkPoints.get(link.getKey()))) {
					skipped += link.getValue();
				}
			}
			return skipped;
		}

		/** The skipped runs of the tracepoints' programs: the probes every packet in the stack meets. */
		public long atTracepoints() {
			return tracepoints.stream().mapToLong(this::at).sum();
		}
	}
}
