package io.tracepackets.cli;

import io.tracepackets.Backend;
import io.tracepackets.internal.live.LiveTrace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The command line, parsed; every mistake is an IllegalArgumentException saying what to write instead. */
record CliOptions(LiveTrace.Options live, Format format, Path outputFile, long limit, Duration duration,
		boolean stack, Path readyFile, boolean help) {

	/** What is written per event. */
	enum Format {
		/** pwru's columns, one line per event. */
		TEXT,
		/** One JSON object per line (docs/evidence.md's schema). */
		JSON,
		/** pcapng, with the packets' bytes (snap length 128 unless given). */
		PCAPNG
	}

	/** The snap length of --output pcapng when --snap-length is not given. */
	static final int PCAPNG_SNAP_LENGTH = 128;

	static CliOptions parse(String[] args) {
		List<String> netns = new ArrayList<>();
		List<String> containers = new ArrayList<>();
		Duration duration = null;
		boolean all = false;
		Backend backend = Backend.AUTO;
		String functions = null;
		Format format = Format.TEXT;
		Path outputFile = null;
		long limit = 0;
		boolean stack = false;
		Path readyFile = null;
		int snapLength = -1;
		String expression = null;
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			String value = null;
			int equals = arg.indexOf('=');
			if (arg.startsWith("--") && equals > 0) {
				value = arg.substring(equals + 1);
				arg = arg.substring(0, equals);
			}
			switch (arg) {
				case "-h", "--help" -> {
					return new CliOptions(null, format, null, 0, null, false, null, true);
				}
				case "--all-netns" -> all = true;
				case "--stack" -> stack = true;
				case "--netns" -> netns.add(value != null ? value : value(args, ++i, arg));
				case "--container" -> containers.add(value != null ? value : value(args, ++i, arg));
				case "--duration" -> duration = duration(value != null ? value : value(args, ++i, arg));
				case "--backend" -> {
					String name = value != null ? value : value(args, ++i, arg);
					try {
						backend = Backend.parse(name);
					} catch (IllegalArgumentException e) {
						throw new IllegalArgumentException("--backend: " + e.getMessage(), e);
					}
				}
				case "--functions" -> functions = value != null ? value : value(args, ++i, arg);
				case "--output" -> format = format(value != null ? value : value(args, ++i, arg));
				case "--output-file" -> outputFile = Path.of(value != null ? value : value(args, ++i, arg));
				case "--ready-file" -> readyFile = Path.of(value != null ? value : value(args, ++i, arg));
				case "--limit" -> limit = number(arg, value != null ? value : value(args, ++i, arg), 1, Long.MAX_VALUE);
				case "--snap-length" -> snapLength = (int) number(arg, value != null ? value : value(args, ++i, arg),
						0, 1024);
				default -> {
					if (arg.startsWith("-") && arg.length() > 1) {
						throw new IllegalArgumentException("unknown option " + arg);
					}
					if (expression != null) {
						throw new IllegalArgumentException("one pcap expression, quoted as one argument: '"
								+ expression + " " + arg + "'");
					}
					expression = args[i];
				}
			}
		}
		if (all && !netns.isEmpty()) {
			throw new IllegalArgumentException("--all-netns traces every namespace: drop --netns " + netns.getFirst()
					+ ", or --all-netns");
		}
		if (all && !containers.isEmpty()) {
			throw new IllegalArgumentException("--all-netns traces every namespace: drop --container "
					+ containers.getFirst() + ", or --all-netns");
		}
		if (snapLength < 0) {
			snapLength = format == Format.PCAPNG ? PCAPNG_SNAP_LENGTH : 0;
		}
		return new CliOptions(new LiveTrace.Options(netns, containers, all, backend, functions, snapLength, stack,
				expression), format, outputFile, limit, duration, stack, readyFile, false);
	}

	private static String value(String[] args, int index, String option) {
		if (index >= args.length || args[index].startsWith("--")) {
			throw new IllegalArgumentException(option + " needs a value");
		}
		return args[index];
	}

	private static Format format(String name) {
		try {
			return Format.valueOf(name.strip().toUpperCase(Locale.ROOT));
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("--output " + name + ": use text, json or pcapng", e);
		}
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
				end of standard input when it is a pipe; then how many events were written and lost.
				Under a drop: the rule or program that dropped it, and what the drop means. Needs root
				(BPF). The pcap expression is libpcap's filter language, run in the kernel ('udp and dst
				port 53', 'tcp[tcpflags] & tcp-syn != 0').

				Options:
				  --netns PATH|PID|inode:N   trace this namespace (repeatable): /run/netns/NAME,
				                             /proc/PID/ns/net, a pid, or an inode; default: this process's
				  --all-netns                trace every network namespace
				  --container NAME|ID        trace a Docker container's namespace (repeatable); the
				                             engine is asked with the docker command, no pid needed
				  --backend NAME             auto (default), kprobe-multi, fentry, kprobe, tracepoint
				  --functions REGEX          kernel functions to probe (a regex found in the name);
				                             default: every function taking a struct sk_buff *
				  --output text|json|pcapng  text (default): pwru's columns; json: one object per line;
				                             pcapng: packets with a comment per event, for Wireshark
				  --output-file F            write there instead of standard output
				  --snap-length N            packet bytes per event, 0 to 1024 (default 0; pcapng: 128)
				  --limit N                  stop after N events
				  --duration D               stop after D (30s, 5m, 500ms, 1h)
				  --stack                    print each drop's kernel stack (every drop takes one)
				  --ready-file F             create F once the probes are attached (for scripts)
				  -h, --help                 this text

				Exit status: 0 after a trace, 1 when the kernel cannot trace here, 2 for bad usage.
				""";
	}
}
