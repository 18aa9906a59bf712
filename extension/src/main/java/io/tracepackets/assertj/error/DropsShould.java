package io.tracepackets.assertj.error;

import io.tracepackets.DropCulprit;
import io.tracepackets.PacketFilter;
import io.tracepackets.PacketPath;
import io.tracepackets.PacketTrace;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * Messages about who dropped the matching packets: which netfilter rule, chain policy or tc
 * program. Each
 * names the culprits that did drop them (or says that no rule could be named), then shows the
 * packets' paths.
 */
public final class DropsShould extends BasicErrorMessageFactory {

	/** What a drop without a named culprit is called in messages. */
	public static final String NO_RULE = "no rule: no netfilter rule or policy, nor tc or XDP program, was found to have dropped it";

	private DropsShould(String format, Object... arguments) {
		super(format, arguments);
	}

	/**
	 * Every drop should have been by a culprit that satisfies {@code condition}.
	 *
	 * @param trace the trace, whose data the message shows: its packets rendered, what was traced and how
	 * @param filter which packets, shown as their description: {@code udp and dst port 9000}
	 * @param expectation what each drop should be, e.g. {@link Expectation#toBeDroppedByRule(String)}
	 * @param dropped the dropped packets
	 * @param condition tells the drops that satisfy the expectation from the others; only the
	 *     others are shown
	 * @return the message, for {@code throwAssertionError}
	 */
	public static ErrorMessageFactory shouldBeDroppedBy(PacketTrace trace, PacketFilter filter, Expectation expectation,
			List<PacketPath> dropped, Predicate<PacketPath> condition) {
		return shouldBeDroppedBy(trace, filter, expectation.text(), dropped, condition);
	}

	/**
	 * Every drop should have been by a culprit that satisfies {@code condition}.
	 *
	 * @param trace the trace, whose data the message shows: its packets rendered, what was traced and how
	 * @param filter which packets, shown as their description: {@code udp and dst port 9000}
	 * @param expectation what each drop should be, the message's second line: {@code "to be dropped
	 *     by the rule: -p udp --dport 9000 -j DROP"}
	 * @param dropped the dropped packets
	 * @param condition tells the drops that satisfy the expectation from the others; only the
	 *     others are shown
	 * @return the message, for {@code throwAssertionError}
	 */
	public static ErrorMessageFactory shouldBeDroppedBy(PacketTrace trace, PacketFilter filter, String expectation,
			List<PacketPath> dropped, Predicate<PacketPath> condition) {
		List<PacketPath> failing = dropped.stream().filter(condition.negate()).toList();
		Map<String, Integer> culprits = new LinkedHashMap<>();
		for (PacketPath path : failing) {
			culprits.merge(path.culprit().map(DropCulprit::describe)
					.orElseGet(() -> NO_RULE + path.whyNoCulprit().map(why -> System.lineSeparator() + "    because "
							+ why).orElse("")), 1, Integer::sum);
		}
		StringBuilder byWhom = new StringBuilder();
		culprits.forEach((culprit, count) -> byWhom.append("  ").append(culprit).append(count > 1 ? " (" + count
				+ " packets)" : "").append(System.lineSeparator()));
		return new DropsShould("%nExpecting packets matching:%n  %s%n%s%nbut %s of %s were dropped by:%n%s%s%n%s",
				unquotedString(filter.toString()), unquotedString(expectation), failing.size(), dropped.size(),
				unquotedString(byWhom.toString()), unquotedString(PwruFormat.render(trace, failing)),
				unquotedString(PacketsShould.context(trace)));
	}

	/**
	 * The rule given to {@code byRule} should be one that the tool which wrote the dropping rule
	 * reads: says which tool refused it, in the tool's own words.
	 *
	 * @param filter which packets, shown as their description: {@code udp and dst port 8096}
	 * @param rule the rule as the test typed it
	 * @param tool the tool, e.g. {@code "iptables-nft"}
	 * @param refusal the tool's message, e.g. {@code iptables v1.8.9 (nf_tables): unknown option
	 *     "--dprot"}
	 * @return the message, for {@code throwAssertionError}
	 */
	public static ErrorMessageFactory shouldBeARuleItsToolReads(PacketFilter filter, String rule, String tool,
			String refusal) {
		String indented = "  " + String.join(System.lineSeparator() + "  ", refusal.strip().lines().toList());
		return new DropsShould("%nExpecting packets matching:%n  %s%nto be dropped by the rule:%n  %s%nbut %s, which"
				+ " wrote the rule that dropped them, cannot read that rule:%n%s", unquotedString(filter.toString()),
				unquotedString(rule), unquotedString(tool), unquotedString(indented));
	}
}
