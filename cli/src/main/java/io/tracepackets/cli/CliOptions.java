package io.tracepackets.cli;

import io.tracepackets.Backend;
import io.tracepackets.internal.live.LiveTrace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The command line, parsed; every mistake is an IllegalArgumentException saying what to write
 * instead. pwru's flags are accepted with pwru's meaning next to the native ones (docs/cli.md
 * lists both), so a pwru command runs with only the program's name changed.
 *
 * @param live what the engine traces
 * @param selection what is shown of it (mark, interface, a packet followed after its first match)
 * @param everyNamespaceByDefault no namespace was named, so every one is traced, as pwru does
 * @param outputMeta pwru's --output-meta: each event's skb metadata under its line
 */
record CliOptions(LiveTrace.Options live, Selection selection, Format format, Path outputFile, long limit,
		Duration duration, boolean stack, boolean outputMeta, Path readyFile, boolean everyNamespaceByDefault,
		boolean help) {

	/** What is written per event. */
	enum Format {
		/** pwru's columns, one line per event. */
		TEXT,
		/** One JSON object per line (docs/evidence.md's schema). */
		JSON,
		/** pcapng, with the packets' bytes (snap length 128 unless given). */
		PCAPNG
	}

	/**
	 * The filters run on each event as it is read rather than in the kernel.
	 *
	 * @param mark pwru's --filter-mark: the skb mark, compared under {@code markMask}; null: any
	 * @param markMask the bits of the mark compared
	 * @param ifname pwru's --filter-ifname: the device, in {@code ifnameNetns}; null: any
	 * @param ifnameNetns where the device is: a --netns value, or null for this process's namespace
	 * @param trackSkb pwru's --filter-track-skb: once an event matched, every later event of its
	 *     packet (its journey) is shown, through NAT, namespaces and copies
	 * @param pcap the pcap expression, run here when {@code trackSkb} (the kernel's filter would
	 *     drop the packet's events after NAT); null otherwise
	 * @param stripBytes the bytes were captured for {@code pcap} only: not shown
	 */
	record Selection(Long mark, long markMask, String ifname, String ifnameNetns, boolean trackSkb, String pcap,
			boolean stripBytes) {

		static final Selection ALL = new Selection(null, 0xffffffffL, null, null, false, null, false);

		boolean filters() {
			return mark != null || ifname != null || trackSkb;
		}
	}

	/** The snap length of --output pcapng when --snap-length is not given. */
	static final int PCAPNG_SNAP_LENGTH = 128;
	/** The bytes a pcap expression is run on here (--filter-track-skb), as many as the kernel's filter sees. */
	static final int FILTER_SNAP_LENGTH = 256;

	/** Options that take a value. */
	private static final Set<String> VALUED = Set.of("--netns", "--filter-netns", "--container", "--backend",
			"--functions", "--filter-func", "--output", "--output-file", "--ready-file", "--limit",
			"--output-limit-lines", "--snap-length", "--duration", "--filter-mark", "--filter-ifname");
	/** Options that are on or off: {@code --x}, {@code --x=true}, {@code --x=false}. */
	private static final Set<String> SWITCHES = Set.of("--all-netns", "--stack", "--output-stack", "--output-tuple",
			"--output-meta", "--output-json", "--filter-track-skb", "--help");

	/** pwru's flags that have no equivalent here, with why and what to do instead. */
	private static final Map<String, String> PWRU_ONLY = Map.ofEntries(
			Map.entry("--output-skb", "the skb's struct dump is not decoded here; --output json carries its fields"),
			Map.entry("--output-skb-shared-info", "the skb's shared info is not decoded here"),
			Map.entry("--output-caller", "the caller is not recorded; --stack prints each drop's kernel stack"),
			Map.entry("--timestamp", "times are always printed, relative to the start (TIME column); --output json"
					+ " has the absolute ts_ns"),
			Map.entry("--filter-trace-tc", "tc programs are not traced as functions; a tc drop names its program"
					+ " under its line"),
			Map.entry("--filter-trace-xdp", "XDP programs are not traced as functions; an XDP drop names its program"
					+ " under its line"),
			Map.entry("--filter-track-skb-by-stackid", "packets are followed by their journey id (--filter-track-skb),"
					+ " which survives copies and frees"),
			Map.entry("--filter-non-skb-funcs", "only functions taking an skb are probed"),
			Map.entry("--filter-kprobe-batch", "kprobes are attached by the engine in one go"),
			Map.entry("--kernel-btf", "the running kernel's BTF (/sys/kernel/btf/vmlinux) is always used"),
			Map.entry("--all-kmods", "module functions are probed with the kernel's where the backend reaches them"),
			Map.entry("--kmods", "module functions are probed with the kernel's where the backend reaches them"),
			Map.entry("--version", "the version is the jar's (tracepackets-cli.jar)"));

	static CliOptions parse(String[] args) {
		List<String> netns = new ArrayList<>();
		List<String> containers = new ArrayList<>();
		Boolean all = null;
		Backend backend = Backend.AUTO;
		String functions = null;
		Format format = null;
		Path outputFile = null;
		long limit = 0;
		Duration duration = null;
		boolean stack = false;
		boolean meta = false;
		Path readyFile = null;
		int snapLength = -1;
		Long mark = null;
		long markMask = 0xffffffffL;
		String ifname = null;
		boolean trackSkb = false;
		List<String> expression = new ArrayList<>();
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			String value = null;
			int equals = arg.indexOf('=');
			if (arg.startsWith("--") && equals > 0) {
				value = arg.substring(equals + 1);
				arg = arg.substring(0, equals);
			}
			if (arg.equals("-h")) {
				arg = "--help";
			}
			if (!arg.startsWith("-") || arg.equals("-")) {
				expression.add(args[i]);
				continue;
			}
			if (PWRU_ONLY.containsKey(arg)) {
				throw new IllegalArgumentException("pwru's " + arg + " has no equivalent here: " + PWRU_ONLY.get(arg));
			}
			if (VALUED.contains(arg)) {
				if (value == null) {
					value = value(args, ++i, arg);
				}
			} else if (SWITCHES.contains(arg)) {
				boolean on = value == null || switchValue(arg, value);
				switch (arg) {
					case "--help" -> {
						if (on) {
							return new CliOptions(null, Selection.ALL, Format.TEXT, null, 0, null, false, false, null,
									false, true);
						}
					}
					case "--all-netns" -> all = on;
					case "--stack", "--output-stack" -> stack = on;
					case "--output-meta" -> meta = on;
					case "--filter-track-skb" -> trackSkb = on;
					case "--output-json" -> format = format(format, on ? Format.JSON : Format.TEXT, arg);
					case "--output-tuple" -> {
						if (!on) {
							throw new IllegalArgumentException("--output-tuple=false: the TUPLE column is always"
									+ " printed here; drop the option");
						}
					}
					default -> throw new IllegalStateException(arg);
				}
				continue;
			} else {
				throw new IllegalArgumentException("unknown option " + arg + nearest(arg));
			}
			switch (arg) {
				case "--netns", "--filter-netns" -> netns.add(value);
				case "--container" -> containers.add(value);
				case "--duration" -> duration = duration(value);
				case "--backend" -> {
					try {
						backend = Backend.parse(value);
					} catch (IllegalArgumentException e) {
						throw new IllegalArgumentException("--backend: " + e.getMessage(), e);
					}
				}
				case "--functions" -> functions = value;
				// pwru's is an exact match of the whole name (RE2): ip_rcv is ip_rcv, not ip_rcv_core
				case "--filter-func" -> functions = "^(?:" + value + ")$";
				case "--output" -> format = format(format, format(value), arg);
				case "--output-file" -> outputFile = Path.of(value);
				case "--ready-file" -> readyFile = Path.of(value);
				case "--limit", "--output-limit-lines" -> limit = number(arg, value, 1, Long.MAX_VALUE);
				case "--snap-length" -> snapLength = (int) number(arg, value, 0, 1024);
				case "--filter-mark" -> {
					int slash = value.indexOf('/');
					mark = unsigned32(arg, slash < 0 ? value : value.substring(0, slash));
					markMask = slash < 0 ? 0xffffffffL : unsigned32(arg, value.substring(slash + 1));
				}
				case "--filter-ifname" -> ifname = value;
				default -> throw new IllegalStateException(arg);
			}
		}
		if (expression.size() > 1) {
			throw new IllegalArgumentException("one pcap expression, quoted as one argument: '"
					+ String.join(" ", expression) + "'");
		}
		boolean allNamespaces = all != null ? all : netns.isEmpty() && containers.isEmpty();
		if (allNamespaces && !netns.isEmpty()) {
			throw new IllegalArgumentException("--all-netns traces every namespace: drop --netns " + netns.getFirst()
					+ ", or --all-netns");
		}
		if (allNamespaces && !containers.isEmpty()) {
			throw new IllegalArgumentException("--all-netns traces every namespace: drop --container "
					+ containers.getFirst() + ", or --all-netns");
		}
		if (format == null) {
			format = Format.TEXT;
		}
		String pcap = expression.isEmpty() ? null : expression.getFirst();
		int shownSnap = snapLength >= 0 ? snapLength : format == Format.PCAPNG ? PCAPNG_SNAP_LENGTH : 0;
		Selection selection = new Selection(mark, markMask, ifname, ifname == null || netns.isEmpty() ? null
				: netns.getFirst(), trackSkb, trackSkb ? pcap : null, trackSkb && pcap != null && shownSnap == 0);
		// With --filter-track-skb the expression runs here, on captured bytes: in the kernel it would
		// drop the packet's events once NAT rewrote what it matched.
		LiveTrace.Options live = new LiveTrace.Options(netns, containers, allNamespaces, backend, functions,
				trackSkb && pcap != null ? Math.max(shownSnap, FILTER_SNAP_LENGTH) : shownSnap, stack,
				trackSkb ? null : pcap);
		return new CliOptions(live, selection, format, outputFile, limit, duration, stack, meta, readyFile,
				all == null && allNamespaces, false);
	}

	private static String value(String[] args, int index, String option) {
		if (index >= args.length || args[index].startsWith("--")) {
			throw new IllegalArgumentException(option + " needs a value");
		}
		return args[index];
	}

	private static boolean switchValue(String option, String text) {
		return switch (text.strip().toLowerCase(Locale.ROOT)) {
			case "true", "yes", "on", "1" -> true;
			case "false", "no", "off", "0" -> false;
			default -> throw new IllegalArgumentException(option + "=" + text + ": use " + option + "=true or " + option
					+ "=false (or " + option + " alone)");
		};
	}

	private static Format format(Format given, Format wanted, String option) {
		if (given != null && given != wanted) {
			throw new IllegalArgumentException(option + " asks for " + wanted.name().toLowerCase(Locale.ROOT)
					+ " output, another option for " + given.name().toLowerCase(Locale.ROOT) + ": keep one");
		}
		return wanted;
	}

	private static Format format(String name) {
		try {
			return Format.valueOf(name.strip().toUpperCase(Locale.ROOT));
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("--output " + name + ": use text, json or pcapng", e);
		}
	}

	/** The known option nearest to {@code unknown} by edit distance, as a hint; empty when none is near. */
	static String nearest(String unknown) {
		Set<String> known = new TreeSet<>(VALUED);
		known.addAll(SWITCHES);
		String best = known.stream().min(Comparator.comparingInt((String k) -> distance(unknown, k))
				.thenComparing(Comparator.naturalOrder())).orElseThrow();
		int d = distance(unknown, best);
		return d <= Math.max(2, best.length() / 3) ? ": did you mean " + best + "? (--help lists them)"
				: " (--help lists the options)";
	}

	private static int distance(String a, String b) {
		int[] previous = new int[b.length() + 1];
		int[] current = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= b.length(); j++) {
				int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
				current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[b.length()];
	}

	/** {@code 30s}, {@code 5m}, {@code 500ms}, {@code 1h}, or plain seconds. */
	static Duration duration(String text) {
		java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h)?").matcher(text.strip());
		if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
			throw new IllegalArgumentException("--duration " + text + ": give a positive time such as 30s, 5m, 500ms"
					+ " or 1h");
		}
		long n = Long.parseLong(m.group(1));
		return switch (m.group(2) == null ? "s" : m.group(2)) {
			case "ms" -> Duration.ofMillis(n);
			case "m" -> Duration.ofMinutes(n);
			case "h" -> Duration.ofHours(n);
			default -> Duration.ofSeconds(n);
		};
	}

	/** A 32-bit unsigned number, decimal or 0x hexadecimal, as pwru reads a mark. */
	private static long unsigned32(String option, String text) {
		String t = text.strip().toLowerCase(Locale.ROOT);
		try {
			long value = t.startsWith("0x") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
			if (value < 0 || value > 0xffffffffL) {
				throw new NumberFormatException();
			}
			return value;
		} catch (NumberFormatException e) {
			throw new IllegalArgumentException(option + " " + text + ": not a 32-bit mark; e.g. 0x1, or 0x100/0xff00"
					+ " (value/mask)", e);
		}
	}

	private static long number(String option, String text, long min, long max) {
		try {
			long value = Long.parseLong(text.strip());
			if (value < min || value > max) {
				throw new IllegalArgumentException(option + " " + text + ": must be " + min + " to " + max);
			}
			return value;
		} catch (NumberFormatException e) {
			throw new IllegalArgumentException(option + " " + text + ": not a number", e);
		}
	}

	static String usage() {
		return """
				Usage: java -jar tracepackets-cli.jar [options] ['pcap expression']

				Prints what the Linux kernel does with the packets of network namespaces, one line per
				probe an skb passes (pwru's columns), until Ctrl-C, SIGTERM, --limit, --duration, or the
				end of standard input when it is a pipe; then how many events were written and lost, and
				the kernel's exact counts (every packet per probe, drops per reason), which lose nothing.
				Lost events are said as they happen. Under a drop: the rule or program that dropped it,
				and what the drop means. Needs root
				(BPF). The pcap expression is libpcap's filter language, run in the kernel ('udp and dst
				port 53', 'tcp[tcpflags] & tcp-syn != 0'). pwru's flags (right) mean what they mean there.

				Options:                                                    pwru's name
				  --netns PATH|PID|inode:N   trace this namespace (repeatable):  --filter-netns
				                             /run/netns/NAME, /proc/PID/ns/net, a pid, or an inode;
				                             default: every namespace, as pwru
				  --all-netns[=false]        every namespace (=false: this process's only)
				  --container NAME|ID        trace a Docker container's namespace (repeatable); the
				                             engine is asked with the docker command, no pid needed
				  --backend NAME             auto (default), kprobe-multi,      --backend
				                             fentry, kprobe, tracepoint
				  --functions REGEX          kernel functions whose name        --filter-func REGEX
				                             contains a match (pwru's: the      (whole name)
				                             whole name matches); default: every function taking an
				                             skb; refused where no function backend runs
				  --filter-mark V[/MASK]     the skb mark, under a mask          --filter-mark
				  --filter-ifname NAME       the device NAME of the first --netns (default: this
				                             process's namespace)                --filter-ifname
				  --filter-track-skb         once a packet matched, show its     --filter-track-skb
				                             later events too: after NAT, in other namespaces
				  --output text|json|pcapng  text (default): pwru's columns;     --output-json
				                             json: one object per line; pcapng: packets with a
				                             comment per event, for Wireshark
				                             (the tuple is always printed:       --output-tuple)
				  --output-meta              the skb's metadata under each line  --output-meta
				  --output-file F            write there, not to standard output --output-file
				  --snap-length N            packet bytes per event, 0 to 1024 (default 0; pcapng: 128)
				  --limit N                  stop after N events                 --output-limit-lines
				  --duration D               stop after D (30s, 5m, 500ms, 1h)
				  --stack                    print each drop's kernel stack      --output-stack
				                             (every drop takes one)
				  --ready-file F             create F once the probes are attached (for scripts)
				  -h, --help                 this text                           --help

				Switches take =false. Exit status: 0 after a trace, 1 when the kernel cannot trace here,
				2 for bad usage.
				""";
	}
}
