package io.tracepackets.internal.session;

import io.tracepackets.internal.libbpf.LibBpf;
import io.tracepackets.internal.link.Link;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The probe runs the kernel skipped: a program already running on a CPU is not run again there
 * (its {@code recursion_misses}: a packet freed in an interrupt that came while the kfree_skb probe
 * ran), and a kprobe that fired inside another kprobe's handler is dropped by the kprobe machinery
 * (the link's {@code missed}, 6.7+). Each is an event that never reached the ring buffer, with no
 * trace of whose packet it was, so a negative assertion cannot trust a window in which the count
 * grew; pwru warns about the same counter.
 *
 * <p>The programs and links are read once, at construction; {@link #total()} asks the kernel for
 * the counters of each distinct program and each kprobe link (a couple of syscalls apiece).
 * Counters a kernel lacks (before 5.12 for programs, 6.7 for links) count as 0.
 */
public final class SkippedRuns {

	private final int[] programIds;
	private final int[] kprobeLinkFds;

	private SkippedRuns(int[] programIds, int[] kprobeLinkFds) {
		this.programIds = programIds;
		this.kprobeLinkFds = kprobeLinkFds;
	}

	/** The counters of {@code links}' programs, and of those that are kprobes. */
	public static SkippedRuns of(List<? extends AutoCloseable> links) {
		Set<Integer> programs = new LinkedHashSet<>();
		List<Integer> kprobes = new ArrayList<>();
		for (AutoCloseable candidate : links) {
			if (!(candidate instanceof Link link)) {
				continue;
			}
			int fd = link.fd();
			if (fd < 0) {
				continue;
			}
			LibBpf.linkInfo(fd).ifPresent(info -> {
				programs.add(info.programId());
				if (info.missed() >= 0) {
					kprobes.add(fd);
				}
			});
		}
		return new SkippedRuns(programs.stream().mapToInt(Integer::intValue).toArray(),
				kprobes.stream().mapToInt(Integer::intValue).toArray());
	}

	/** Counts only these programs (a probe made outside the session's links, in a test). */
	public static SkippedRuns ofPrograms(int... programIds) {
		return new SkippedRuns(programIds.clone(), new int[0]);
	}

	/** Runs skipped since the programs were loaded, over every CPU and namespace. */
	public long total() {
		long total = 0;
		for (int id : programIds) {
			total += Math.max(0, LibBpf.programRecursionMisses(id));
		}
		for (int fd : kprobeLinkFds) {
			total += LibBpf.linkInfo(fd).map(info -> Math.max(0, info.missed())).orElse(0L);
		}
		return total;
	}

	/** How many programs and kprobe links are counted, for the log. */
	@Override
	public String toString() {
		return "SkippedRuns[" + programIds.length + " programs, " + kprobeLinkFds.length + " kprobe links]";
	}
}
