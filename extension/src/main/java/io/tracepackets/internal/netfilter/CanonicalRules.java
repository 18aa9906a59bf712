package io.tracepackets.internal.netfilter;

import io.tracepackets.DropCulprit;
import io.tracepackets.TracePacketsException;
import io.tracepackets.internal.netns.NamespaceCommand;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A rule as a user types it, put into the form its own tool writes it in: the text is added, by
 * the tool that wrote the rule that dropped a packet ({@code iptables-nft}, {@code ip6tables-nft},
 * {@code iptables-legacy}, {@code ip6tables-legacy} or {@code nft}), to an empty copy of the
 * rule's table in a scratch network namespace, and read back as {@code iptables-save} or
 * {@code nft -a list} prints it. So {@code -p udp --dport 8096 -j REJECT} reads back as
 * {@code -A INPUT -p udp -m udp --dport 8096 -j REJECT --reject-with icmp-port-unreachable}, and
 * no list of defaults and spellings of our own can miss one: the tool's parser is the only one.
 *
 * <p>The scratch namespace is made by {@code unshare --net} around one shell that runs the tool's
 * commands: the kernel deletes it when that shell exits, whatever happens to this JVM, so none
 * can outlive the call. The copy of the table holds the real table's chains (with their types and
 * policies) and, for nft, its sets, maps and other objects, read from the rule's own namespace, so
 * a rule that jumps to a custom chain or looks up a set reads back as it does there; no rule of
 * the real table is copied. When the rule's namespace cannot be read any more, the copy holds the
 * rule's chain alone.
 *
 * <p>Canonical forms are cached for the JVM per tool, table, chain and text: a tool reads the
 * same text the same way every time. Failures are not cached (a missing set may be made later).
 */
public final class CanonicalRules {

	private static final long TIMEOUT_SECONDS = 10;
	/** The exit status of the scratch shell when the copy of the table did not load. */
	private static final int COPY_REFUSED = 10;
	/** The exit status of the scratch shell when the tool refused the typed rule. */
	private static final int RULE_REFUSED = 11;

	/**
	 * Loads the copy of the table on stdin, makes the rule's chain (quietly: it is built in or
	 * copied already), adds the rule, prints the table. Arguments: tool, table, chain, then the
	 * tool's arguments for the rule.
	 */
	private static final String IPTABLES_SCRIPT = """
			tool=$1; table=$2; chain=$3; shift 3
			"$tool-restore" || exit 10
			"$tool" -t "$table" -N "$chain" 2>/dev/null
			"$tool" "$@" || exit 11
			exec "$tool-save" -t "$table"
			""";
	/** The same for nft. Arguments: family, table, chain, the rule's text as one argument. */
	private static final String NFT_SCRIPT = """
			nft -f - || exit 10
			nft add rule "$1" "$2" "$3" "$4" || exit 11
			exec nft -a list chain "$1" "$2" "$3"
			""";

	private static final Map<String, List<String>> CACHE = new ConcurrentHashMap<>();

	private CanonicalRules() {
	}

	/**
	 * {@code typed} as the tool that wrote {@code culprit} writes it.
	 *
	 * @param netns the namespace of the rule, whose table's chains and sets the scratch copy gets;
	 *     null when unknown
	 * @param culprit the rule that dropped a packet: its tool, family, table and chain
	 * @param typed the rule as a user writes it: iptables arguments, with or without
	 *     {@code -A CHAIN} (then the culprit's chain), or an nft rule's statements
	 * @return the rules the text makes, as the tool prints them: one line
	 *     ({@code -A INPUT -p udp -m udp --dport 8096 -j REJECT --reject-with icmp-port-unreachable},
	 *     {@code udp dport 9000 counter drop}: nft's counter values left out, as in
	 *     {@link DropCulprit.NetfilterRule#rule()}), or more where the tool makes several rules of
	 *     one text (iptables' {@code -s 10.0.0.1,10.0.0.2})
	 * @throws IllegalArgumentException when the tool refuses the text: the tool's own message
	 * @throws TracePacketsException when no scratch namespace can be made or the tool is missing
	 */
	public static List<String> canonical(NetworkNamespace netns, DropCulprit.NetfilterRule culprit, String typed) {
		String text = typed.strip();
		String key = culprit.tool() + "\0" + culprit.family() + "\0" + culprit.table() + "\0" + culprit.chain() + "\0"
				+ text;
		List<String> cached = CACHE.get(key);
		if (cached != null) {
			return cached;
		}
		List<String> rules = culprit.tool().equals("nft") ? nft(netns, culprit, text) : iptables(netns, culprit, text);
		CACHE.put(key, rules);
		return rules;
	}

	private static List<String> iptables(NetworkNamespace netns, DropCulprit.NetfilterRule culprit, String text) {
		String tool = culprit.tool();
		List<String> words = ShellWords.split(text);
		String table = culprit.table();
		List<String> args = new ArrayList<>();
		int tableOption = Math.max(words.indexOf("-t"), words.indexOf("--table"));
		if (tableOption >= 0 && tableOption + 1 < words.size()) {
			table = words.get(tableOption + 1);
		} else {
			args.addAll(List.of("-t", table));
		}
		String chain = culprit.chain();
		boolean command = !words.isEmpty() && List.of("-A", "--append", "-I", "--insert").contains(words.get(0));
		if (command && words.size() > 1) {
			chain = words.get(1);
		} else if (!command) {
			args.addAll(List.of("-A", chain));
		}
		args.addAll(words);
		String copy = iptablesCopy(netns, tool, table);
		List<String> argv = new ArrayList<>(List.of("sh", "-c", IPTABLES_SCRIPT, "sh", tool, table, chain));
		argv.addAll(args);
		Scratch run = Scratch.run(copy, argv);
		if (run.status() == COPY_REFUSED && copy.contains("\n:")) {
			// the real table's chains did not load here: the rule's chain alone
			run = Scratch.run("*" + table + "\nCOMMIT\n", argv);
		}
		if (run.status() == RULE_REFUSED) {
			throw refused(firstLine(run.err()));
		}
		if (run.status() != 0) {
			throw new TracePacketsException("cannot read the rule \"" + text + "\" with " + tool
					+ " in a scratch network namespace (exit " + run.status() + "): " + run.err().strip());
		}
		List<String> rules = run.out().lines().filter(line -> line.startsWith("-A ")).toList();
		if (rules.isEmpty()) {
			throw refused(tool + " made no rule of it");
		}
		return rules;
	}

	/** The real table's header and chains, no rules, for {@code tool-restore}. */
	private static String iptablesCopy(NetworkNamespace netns, String tool, String table) {
		StringBuilder copy = new StringBuilder("*" + table + "\n");
		if (netns != null) {
			try {
				String saved = NamespaceCommand.run(netns, null, tool + "-save", "-t", table);
				saved.lines().filter(line -> line.startsWith(":"))
						.forEach(line -> copy.append(line).append('\n'));
			} catch (RuntimeException gone) {
				// the namespace or its table is gone: the rule's chain alone
			}
		}
		return copy.append("COMMIT\n").toString();
	}

	private static List<String> nft(NetworkNamespace netns, DropCulprit.NetfilterRule culprit, String text) {
		String family = culprit.family();
		String table = culprit.table();
		String chain = culprit.chain();
		String bare = "table " + family + " " + table + " {\n\tchain " + chain + " {\n\t}\n}\n";
		String copy = bare;
		if (netns != null) {
			try {
				copy = nftCopy(NamespaceCommand.run(netns, null, "nft", "list", "table", family, table));
			} catch (RuntimeException gone) {
				// the namespace or its table is gone: the rule's chain alone
			}
		}
		List<String> argv = List.of("sh", "-c", NFT_SCRIPT, "sh", family, table, chain, text);
		Scratch run = Scratch.run(copy, argv);
		if (run.status() == COPY_REFUSED && !copy.equals(bare)) {
			run = Scratch.run(bare, argv);
		}
		if (run.status() == RULE_REFUSED) {
			throw refused(run.err().strip());
		}
		if (run.status() != 0) {
			throw new TracePacketsException("cannot read the rule \"" + text + "\" with nft in a scratch network"
					+ " namespace (exit " + run.status() + "): " + run.err().strip());
		}
		List<String> rules = new ArrayList<>();
		for (String line : run.out().lines().toList()) {
			String rule = RuleTexts.nftRuleText(line);
			if (rule != null) {
				rules.add(rule);
			}
		}
		if (rules.isEmpty()) {
			throw refused("nft made no rule of it");
		}
		return rules;
	}

	/**
	 * {@code nft list table}'s listing without the rules of its chains: each chain keeps its
	 * {@code type ... hook ... policy} line; sets, maps, flowtables and objects stay whole.
	 */
	static String nftCopy(String listing) {
		StringBuilder copy = new StringBuilder();
		int depth = 0;
		boolean inChain = false;
		for (String line : listing.lines().toList()) {
			String text = line.strip();
			if (depth == 1 && text.startsWith("chain ")) {
				inChain = true;
			}
			boolean keep = !inChain || depth != 2 || text.startsWith("type ") || text.equals("}");
			if (keep) {
				copy.append(line).append('\n');
			}
			for (char c : text.toCharArray()) {
				depth += c == '{' ? 1 : c == '}' ? -1 : 0;
			}
			if (inChain && depth == 1) {
				inChain = false;
			}
		}
		return copy.toString();
	}

	/** The tool's refusal, in its own words: the assertion names the text and the tool. */
	private static IllegalArgumentException refused(String message) {
		return new IllegalArgumentException(message);
	}

	/** iptables' first line says what is wrong; the second is only "Try `iptables -h' ...". */
	private static String firstLine(String err) {
		return err.strip().lines().findFirst().orElse("(no message)");
	}

	/** One run of the tool's commands in a network namespace of their own. */
	private record Scratch(int status, String out, String err) {

		static Scratch run(String input, List<String> command) {
			List<String> argv = new ArrayList<>(List.of("unshare", "--net", "--"));
			argv.addAll(command);
			Process process;
			try {
				process = new ProcessBuilder(argv).start();
			} catch (IOException e) {
				throw new TracePacketsException("cannot make a scratch network namespace to read a rule in: "
						+ e.getMessage() + " (install it: apt-get install util-linux iptables nftables)", e);
			}
			CompletableFuture<String> out = read(process.getInputStream());
			CompletableFuture<String> err = read(process.getErrorStream());
			try (OutputStream stdin = process.getOutputStream()) {
				stdin.write(input.getBytes(StandardCharsets.UTF_8));
			} catch (IOException ignored) {
				// the shell exited before reading its input: its exit status says why
			}
			try {
				if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
					process.destroyForcibly();
					throw new TracePacketsException("reading a rule in a scratch network namespace did not finish within "
							+ TIMEOUT_SECONDS + " s");
				}
				return new Scratch(process.exitValue(), out.join(), err.join());
			} catch (InterruptedException e) {
				process.destroyForcibly();
				Thread.currentThread().interrupt();
				throw new TracePacketsException("interrupted while reading a rule in a scratch network namespace", e);
			}
		}

		private static CompletableFuture<String> read(InputStream stream) {
			return CompletableFuture.supplyAsync(() -> {
				try (stream) {
					return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
				} catch (IOException e) {
					return "";
				}
			});
		}
	}
}
