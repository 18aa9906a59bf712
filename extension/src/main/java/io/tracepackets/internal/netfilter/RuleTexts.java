package io.tracepackets.internal.netfilter;

import io.tracepackets.DropCulprit;
import io.tracepackets.internal.netns.NamespaceCommand;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text of an nf_tables rule that a trace names by table, chain and handle: as
 * {@code iptables-save} prints it when iptables-nft made the table (the rule's position in its
 * chain picks the line), else as {@code nft -a list} prints it. Cached per rule: a handle never
 * names another rule while its table lives.
 */
final class RuleTexts {

	private static final Set<String> IPTABLES_TABLES = Set.of("filter", "nat", "mangle", "raw", "security");
	private static final Pattern HANDLE = Pattern.compile("\\s*# handle (\\d+)\\s*$");
	private static final Pattern COUNTER = Pattern.compile("counter packets \\d+ bytes \\d+");

	private final Map<String, DropCulprit.NetfilterRule> cache = new ConcurrentHashMap<>();

	/** The rule (or policy, for {@code trace.type() == POLICY}) that {@code trace} names. */
	DropCulprit.NetfilterRule culprit(NetworkNamespace netns, NftTrace trace) {
		boolean policy = trace.type() == NftTrace.POLICY;
		String key = netns.inode() + "/" + trace.familyName() + "/" + trace.table() + "/" + trace.chain() + "/"
				+ (policy ? "policy" : Long.toString(trace.handle()));
		return cache.computeIfAbsent(key, k -> lookUp(netns, trace, policy));
	}

	private static DropCulprit.NetfilterRule lookUp(NetworkNamespace netns, NftTrace trace, boolean policy) {
		String family = trace.familyName();
		List<String> nftRules = new ArrayList<>();
		int position = 0;
		String nftText = "?";
		try {
			String listing = NamespaceCommand.run(netns, null, "nft", "-a", "list", "chain", family, trace.table(),
					trace.chain());
			for (String line : listing.lines().toList()) {
				String rule = nftRuleText(line);
				if (rule == null) {
					continue;
				}
				nftRules.add(rule);
				Matcher handle = HANDLE.matcher(line);
				if (!policy && handle.find() && Long.parseLong(handle.group(1)) == trace.handle()) {
					position = nftRules.size();
					nftText = rule;
				}
			}
		} catch (RuntimeException gone) {
			// the table or chain is gone already: the trace's names are all there is
		}
		String iptables = family.equals("ip") ? "iptables" : family.equals("ip6") ? "ip6tables" : null;
		if (iptables != null && IPTABLES_TABLES.contains(trace.table())) {
			List<String> saved = iptablesRules(netns, iptables, trace.table(), trace.chain());
			if (saved != null && saved.size() == nftRules.size()) {
				String text = policy ? "-P " + trace.chain() + " DROP" : position > 0 ? saved.get(position - 1) : "?";
				return new DropCulprit.NetfilterRule(iptables + "-nft", family, trace.table(), trace.chain(),
						policy ? 0 : position, policy ? 0 : trace.handle(), text, policy, "nftrace", List.of());
			}
		}
		String text = policy ? "policy drop" : nftText;
		return new DropCulprit.NetfilterRule("nft", family, trace.table(), trace.chain(), policy ? 0 : position,
				policy ? 0 : trace.handle(), text, policy, "nftrace", List.of());
	}

	/**
	 * A rule's line of {@code nft -a list chain}, as a culprit's text: without its handle, and with
	 * its counter's values left out ({@code counter packets 3 bytes 99} is {@code counter}), since
	 * they count packets and never name a rule. {@link CanonicalRules} reads a typed rule back
	 * through this too, so both sides of a comparison are written alike.
	 *
	 * @return the text, or null when the line is no rule (a table's or chain's line, a chain's type)
	 */
	static String nftRuleText(String line) {
		String text = line.strip();
		Matcher handle = HANDLE.matcher(text);
		if (text.startsWith("chain ") || text.startsWith("table ") || !handle.find()) {
			return null;
		}
		return COUNTER.matcher(text.substring(0, handle.start()).strip()).replaceAll("counter");
	}

	/** The chain's {@code -A} lines from iptables-nft-save, or null when it cannot show that table. */
	private static List<String> iptablesRules(NetworkNamespace netns, String iptables, String table, String chain) {
		String saved;
		try {
			saved = NamespaceCommand.run(netns, null, iptables + "-nft-save", "-t", table);
		} catch (RuntimeException e) {
			return null;
		}
		if (saved.contains("incompatible")) {
			return null;
		}
		return saved.lines().filter(line -> line.startsWith("-A " + chain + " ")).toList();
	}
}
