package io.tracepackets.assertj.error;

import io.tracepackets.Answer;
import io.tracepackets.DropCulprit;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketFilter;
import io.tracepackets.PacketPath;
import io.tracepackets.PacketTrace;
import io.tracepackets.TcpFlag;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * Messages about refused packets and the answers that came back for them (a TCP RST, an ICMP
 * error): each lists the matching packets, one a line, with the answer that came or "no answer
 * traced" (and the drop, when the packet was dropped without one), then shows the packets that
 * failed and their answers pwru-style.
 */
public final class RejectionsShould extends BasicErrorMessageFactory {

	/** How many packets the list shows at most; the rest are counted. */
	private static final int LISTED = 20;

	/** What a packet without an answer shows in the list. */
	public static final String NO_ANSWER = "no answer traced";

	/** Said when a packet had no answer: the answer may have come where the trace did not look. */
	static final String NOT_IN_SCOPE = "An answer is traced only where its path is in scope: the namespace that refused"
			+ " the packet sends it, the sender's receives it.";

	private RejectionsShould(String format, Object... arguments) {
		super(format, arguments);
	}

	/**
	 * {@code wereRejected()}: what each packet should have had.
	 *
	 * @return "to be rejected: answered by a TCP RST or an ICMP error"
	 */
	public static String toBeRejected() {
		return "to be rejected: answered by a TCP RST or an ICMP error";
	}

	/**
	 * {@code wereRejected().withReset()}.
	 *
	 * @return "to be rejected with a TCP RST"
	 */
	public static String toBeRejectedWithReset() {
		return "to be rejected with a TCP RST";
	}

	/**
	 * {@code wereRejected().withIcmp(type, code)} and {@code withIcmpv6(type, code)}.
	 *
	 * @param ipVersion 4 for ICMP, 6 for ICMPv6
	 * @param type the ICMP type
	 * @param code the ICMP code
	 * @return e.g. "to be rejected with ICMP port unreachable (type 3 code 3)"
	 */
	public static String toBeRejectedWithIcmp(int ipVersion, int type, int code) {
		return "to be rejected with " + Answer.icmpName(ipVersion, type, code);
	}

	/**
	 * {@code wereRejected().withPortUnreachable()}.
	 *
	 * @return "to be rejected with port unreachable (ICMP type 3 code 3 for IPv4, ICMPv6 type 1
	 *     code 4 for IPv6)"
	 */
	public static String toBeRejectedWithPortUnreachable() {
		return "to be rejected with port unreachable (ICMP type 3 code 3 for IPv4, ICMPv6 type 1 code 4 for IPv6)";
	}

	/**
	 * Every matching packet should have had an answer that satisfies {@code condition}.
	 *
	 * @param trace the trace, which renders the packets and says what was traced and how
	 * @param filter which packets, shown as their description: {@code tcp and dst port 81}
	 * @param expectation what each packet's answer should have been, e.g. {@link #toBeRejectedWithReset()}
	 * @param matches the matching packets; when empty, the message says the trace has none
	 * @param answers each packet's answer, in the order of {@code matches}
	 * @param condition tells the answers that satisfy the expectation from the others (an absent
	 *     answer never does)
	 * @return the message, for {@code throwAssertionError}
	 */
	public static ErrorMessageFactory shouldBeAnsweredWith(PacketTrace trace, PacketFilter filter, String expectation,
			List<PacketPath> matches, List<Optional<Answer>> answers, Predicate<Answer> condition) {
		if (matches.isEmpty()) {
			return new RejectionsShould("%nExpecting packets matching:%n  %s%n%s%nbut the trace has no such packet.%n%s",
					unquotedString(filter.toString()), unquotedString(expectation),
					unquotedString(PacketsShould.context(trace)));
		}
		String nl = System.lineSeparator();
		StringBuilder list = new StringBuilder();
		List<PacketPath> shown = new ArrayList<>();
		int failing = 0;
		for (int i = 0; i < matches.size(); i++) {
			PacketPath packet = matches.get(i);
			Optional<Answer> answer = answers.get(i);
			boolean fails = answer.filter(condition).isEmpty();
			if (fails) {
				failing++;
				shown.add(packet);
				answer.ifPresent(a -> shown.add(a.path()));
			}
			if (i < LISTED) {
				list.append(fails ? "  ✗ " : "  ✓ ").append(describe(packet)).append(": ")
						.append(answer.map(a -> "answered by " + a.describe()).orElseGet(() -> NO_ANSWER
								+ dropOf(packet)))
						.append(nl);
			}
		}
		if (matches.size() > LISTED) {
			list.append("  … and ").append(matches.size() - LISTED).append(" more").append(nl);
		}
		if (answers.stream().anyMatch(Optional::isEmpty)) {
			list.append(NOT_IN_SCOPE).append(nl);
		}
		shown.sort(Comparator.comparingLong(path -> path.first().timestampNanos()));
		return new RejectionsShould("%nExpecting packets matching:%n  %s%n%s%nbut %s of %s %s not:%n%s"
				+ "Their paths, with the answers that came:%n%s%n%s",
				unquotedString(filter.toString()), unquotedString(expectation), failing, matches.size(),
				unquotedString(failing == 1 ? "was" : "were"), unquotedString(list.toString()),
				unquotedString(PwruFormat.render(trace, shown)), unquotedString(PacketsShould.context(trace)));
	}

	/**
	 * A packet's tuple in one line, as the list shows it.
	 *
	 * @param packet a path
	 * @return e.g. {@code "10.231.1.1:41000 > 10.231.1.2:81 tcp SYN"}
	 */
	static String describe(PacketPath packet) {
		PacketEvent e = packet.events().stream().filter(event -> event.ipVersion() != 0).findFirst()
				.orElse(packet.first());
		if (e.ipVersion() == 0) {
			return "a packet without an IP header (skb " + Long.toHexString(e.skb()) + ")";
		}
		String text = Answer.tuple(e) + " " + e.protocolName();
		if (e.l4Protocol() == PacketEvent.TCP) {
			List<String> flags = new ArrayList<>();
			for (TcpFlag flag : TcpFlag.values()) {
				if ((e.tcpFlags() & flag.bit()) != 0) {
					flags.add(flag.name());
				}
			}
			text += flags.isEmpty() ? "" : " " + String.join("|", flags);
		}
		return text;
	}

	/** Why no answer may have come: the packet was dropped, by whom if known. */
	private static String dropOf(PacketPath packet) {
		return packet.drop().map(drop -> "; dropped" + drop.locationFunction().map(f -> " at " + f).orElse("")
				+ (drop.dropReason() == null ? "" : " (" + drop.dropReason() + ")")
				+ drop.culprit().map(DropCulprit::describe).map(c -> " by " + c).orElse(""))
				.orElse("");
	}
}
