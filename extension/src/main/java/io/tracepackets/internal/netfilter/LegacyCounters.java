package io.tracepackets.internal.netfilter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packet counters of an iptables-legacy ruleset, from {@code iptables-legacy-save -c}: one
 * per rule and per built-in chain's policy. Legacy tables have no trace, so a drop is attributed
 * by which DROP/REJECT rule (or DROP policy) counted more packets after the test than before.
 */
record LegacyCounters(Map<String, Entry> entries) {

	private static final Pattern POLICY = Pattern.compile("^:(\\S+) (\\S+) \\[(\\d+):(\\d+)]");
	private static final Pattern RULE = Pattern.compile("^\\[(\\d+):(\\d+)] (-A (\\S+) .*)$");

	/** No legacy rules at all. */
	static final LegacyCounters NONE = new LegacyCounters(Map.of());

	/**
	 * One rule or policy.
	 *
	 * @param table the table ({@code filter})
	 * @param chain the chain ({@code INPUT})
	 * @param position the rule's position in its chain from 1; 0 for the policy
	 * @param text the rule as iptables-save prints it, or {@code -P INPUT DROP}
	 * @param packets its packet counter
	 * @param drops whether its verdict drops: {@code -j DROP}, {@code -j REJECT}, or a DROP policy
	 */
	record Entry(String table, String chain, int position, String text, long packets, boolean drops) {

		String key() {
			return table + "\u0000" + chain + "\u0000" + position + "\u0000" + text;
		}
	}

	static LegacyCounters parse(String save) {
		Map<String, Entry> entries = new LinkedHashMap<>();
		Map<String, Integer> positions = new LinkedHashMap<>();
		String table = null;
		for (String line : save.lines().toList()) {
			if (line.startsWith("*")) {
				table = line.substring(1).strip();
				positions.clear();
				continue;
			}
			if (table == null) {
				continue;
			}
			Matcher policy = POLICY.matcher(line);
			if (policy.find()) {
				String chain = policy.group(1);
				boolean drops = policy.group(2).equals("DROP");
				Entry entry = new Entry(table, chain, 0, "-P " + chain + " " + policy.group(2),
						Long.parseLong(policy.group(3)), drops);
				entries.put(entry.key(), entry);
				continue;
			}
			Matcher rule = RULE.matcher(line);
			if (rule.find()) {
				String chain = rule.group(4);
				int position = positions.merge(chain, 1, Integer::sum);
				String text = rule.group(3);
				boolean drops = text.endsWith(" -j DROP") || text.contains(" -j REJECT");
				Entry entry = new Entry(table, chain, position, text, Long.parseLong(rule.group(1)), drops);
				entries.put(entry.key(), entry);
			}
		}
		return new LegacyCounters(Map.copyOf(entries));
	}

	/** The dropping rules and policies whose counters grew since {@code before}, in ruleset order. */
	List<Entry> grownDrops(LegacyCounters before) {
		List<Entry> grown = new ArrayList<>();
		for (Entry entry : entries.values()) {
			Entry old = before.entries.get(entry.key());
			if (entry.drops && entry.packets > (old == null ? 0 : old.packets)) {
				grown.add(entry);
			}
		}
		grown.sort(java.util.Comparator.comparing(Entry::table).thenComparing(Entry::chain)
				.thenComparingInt(Entry::position));
		return grown;
	}
}
