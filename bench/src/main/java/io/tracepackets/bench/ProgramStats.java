package io.tracepackets.bench;

import io.tracepackets.internal.libbpf.LibBpf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The kernel's own accounting of this process's BPF programs: {@code run_cnt} and
 * {@code run_time_ns} of every program whose fd this JVM holds, read from
 * {@code /proc/self/fdinfo} (the kernel prints them there for a bpf-prog fd), or that a link this
 * JVM holds runs (read from the program's info). Holding the fd is what makes a program ours, so
 * other tracers on the machine (bpftrace, another JVM) never mix in.
 * The kernel counts only while {@code kernel.bpf_stats_enabled} is 1: see {@link Enabled}.
 */
final class ProgramStats {

	private static final Path SYSCTL = Path.of("/proc/sys/kernel/bpf_stats_enabled");
	/** The program names the object uses; the kernel keeps 15 characters of a name. */
	private static final List<String> KNOWN = List.of("kfree_skb", "consume_skb", "netif_receive_skb", "netif_rx",
			"net_dev_queue", "net_dev_start_xmit", "skb_copy_datagram_iovec", "socket_receive", "emit_marker",
			"emit_burst", ProbeCost.FLOOR_PROGRAM);

	/**
	 * One program's counters at one moment (or their difference): {@code misses} are the runs the
	 * kernel skipped because the program was already running on that CPU (recursion_misses).
	 */
	record Counters(String name, long runs, long nanos, long misses) {
		double nsPerRun() {
			return runs == 0 ? 0 : (double) nanos / runs;
		}

		Counters minus(Counters before) {
			return before == null ? this
					: new Counters(name, runs - before.runs, nanos - before.nanos, misses - before.misses);
		}

		Counters plus(Counters other) {
			return new Counters(name, runs + other.runs, nanos + other.nanos, misses + other.misses);
		}
	}

	private ProgramStats() {
	}

	/** By program id: every BPF program this process holds an fd of. */
	static Map<Integer, Counters> snapshot() {
		Map<Integer, String> names = LibBpf.loadedPrograms();
		Map<Integer, Counters> result = new TreeMap<>();
		List<Path> fds;
		try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
			fds = list.toList();
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		java.util.Set<Integer> linked = new java.util.TreeSet<>();
		for (Path fd : fds) {
			try {
				String target = Files.readSymbolicLink(fd).toString();
				if (!target.equals("anon_inode:bpf-prog") && !target.equals("anon_inode:bpf_link")) {
					continue;
				}
				Map<String, String> info = new LinkedHashMap<>();
				for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo", fd.getFileName().toString()))) {
					int colon = line.indexOf(':');
					if (colon > 0) {
						info.put(line.substring(0, colon), line.substring(colon + 1).strip());
					}
				}
				int id = Integer.parseInt(info.getOrDefault("prog_id", "-1"));
				if (id < 0) {
					continue;
				}
				if (target.equals("anon_inode:bpf_link")) {
					linked.add(id);
				} else if (info.containsKey("run_cnt")) {
					result.put(id, new Counters(fullName(names.getOrDefault(id, "prog#" + id)),
							Long.parseLong(info.get("run_cnt")), Long.parseLong(info.get("run_time_ns")),
							Long.parseLong(info.getOrDefault("recursion_misses", "0"))));
				}
			} catch (IOException | RuntimeException e) {
				// an fd closed while listed (the JVM's own, or a cursor's): not a program we measure
			}
		}
		// Programs held only through their links (the fentry backend closes each clone's program
		// fd once its link holds it): their counters from the kernel's program info.
		for (int id : linked) {
			if (!result.containsKey(id)) {
				long[] counters = LibBpf.programRunCounters(id);
				if (counters != null) {
					result.put(id, new Counters(fullName(names.getOrDefault(id, "prog#" + id)), counters[0],
							counters[1], Math.max(0, counters[2])));
				}
			}
		}
		return result;
	}

	/** What each program ran between two snapshots, programs that did not run left out, by name. */
	static List<Counters> delta(Map<Integer, Counters> before, Map<Integer, Counters> after) {
		List<Counters> result = new ArrayList<>();
		after.forEach((id, counters) -> {
			Counters d = counters.minus(before.get(id));
			if (d.runs() > 0 || d.misses() > 0) {
				result.add(d);
			}
		});
		return result;
	}

	private static String fullName(String kernelName) {
		for (String known : KNOWN) {
			if (known.equals(kernelName) || kernelName.length() == 15 && known.startsWith(kernelName)) {
				return known;
			}
		}
		return kernelName;
	}

	/**
	 * {@code kernel.bpf_stats_enabled=1} for as long as it is open; closing puts back the value it
	 * found (scripts/bench also restores it on exit, should this JVM die first).
	 */
	static final class Enabled implements AutoCloseable {

		private final String previous;

		private Enabled(String previous) {
			this.previous = previous;
		}

		static Enabled turnOn() {
			try {
				String previous = Files.readString(SYSCTL).strip();
				Files.writeString(SYSCTL, "1");
				return new Enabled(previous);
			} catch (IOException e) {
				throw new UncheckedIOException("cannot set kernel.bpf_stats_enabled (root needed)", e);
			}
		}

		@Override
		public void close() {
			try {
				Files.writeString(SYSCTL, previous);
			} catch (IOException e) {
				throw new UncheckedIOException("cannot restore kernel.bpf_stats_enabled=" + previous, e);
			}
		}
	}
}
