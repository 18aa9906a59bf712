package io.tracepackets.assertj;

import static io.tracepackets.assertj.error.RejectionsShould.shouldBeAnsweredWith;

import io.tracepackets.Answer;
import io.tracepackets.PacketFilter;
import io.tracepackets.PacketPath;
import io.tracepackets.PacketTrace;
import io.tracepackets.assertj.error.RejectionsShould;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on how the matching packets were refused: the answer that came back for each, a TCP
 * RST or an ICMP error (see {@link Answer} for how an answer is tied to its packet). Made by
 * {@link PacketsAssert#wereRejected()}, once every matching packet has an answer.
 *
 * <pre>{@code
 * assertThat(trace).packets(tcp().dstPort(81)).wereRejected().withReset();
 * assertThat(trace).packets(udp().dstPort(8096)).wereRejected().withIcmp(3, 3);
 * assertThat(trace).packets(udp().ipv6().dstPort(8096)).wereRejected().withPortUnreachable();
 * }</pre>
 */
public class RejectionsAssert extends AbstractAssert<RejectionsAssert, PacketTrace> {

	private final PacketFilter filter;
	private final List<PacketPath> refused;
	private final List<Optional<Answer>> answers;

	/**
	 * Made by {@link PacketsAssert#wereRejected()}.
	 *
	 * @param actual the trace, which renders failures
	 * @param filter which packets, shown in failure messages
	 * @param refused the matching packets
	 * @param answers each packet's answer, in the order of {@code refused}, every one present
	 */
	public RejectionsAssert(PacketTrace actual, PacketFilter filter, List<PacketPath> refused,
			List<Optional<Answer>> answers) {
		super(actual, RejectionsAssert.class);
		this.filter = filter;
		this.refused = List.copyOf(refused);
		this.answers = List.copyOf(answers);
	}

	/**
	 * Every answer was a TCP RST: a REJECT rule's {@code --reject-with tcp-reset}, or the kernel's
	 * answer to a SYN for a port nobody listens on.
	 *
	 * @return this assertion, for chaining
	 */
	public RejectionsAssert withReset() {
		return every(Answer::isReset, RejectionsShould.toBeRejectedWithReset());
	}

	/**
	 * Every answer was this ICMP (IPv4) error: {@code withIcmp(3, 3)} port unreachable (REJECT's
	 * default, and a closed UDP port's answer), {@code (3, 13)} administratively prohibited,
	 * {@code (3, 10)} host prohibited.
	 *
	 * @param type the ICMP type, e.g. 3 destination unreachable
	 * @param code the ICMP code, e.g. 3 port unreachable
	 * @return this assertion, for chaining
	 */
	public RejectionsAssert withIcmp(int type, int code) {
		return every(answer -> answer.isIcmp(4, type, code), RejectionsShould.toBeRejectedWithIcmp(4, type, code));
	}

	/**
	 * Every answer was this ICMPv6 error: {@code withIcmpv6(1, 4)} port unreachable (ip6tables
	 * REJECT's default, and a closed UDP port's answer), {@code (1, 1)} administratively prohibited.
	 *
	 * @param type the ICMPv6 type, e.g. 1 destination unreachable
	 * @param code the ICMPv6 code, e.g. 4 port unreachable
	 * @return this assertion, for chaining
	 */
	public RejectionsAssert withIcmpv6(int type, int code) {
		return every(answer -> answer.isIcmp(6, type, code), RejectionsShould.toBeRejectedWithIcmp(6, type, code));
	}

	/**
	 * Every answer was port unreachable, in the packet's IP version: ICMP type 3 code 3 for IPv4,
	 * ICMPv6 type 1 code 4 for IPv6.
	 *
	 * @return this assertion, for chaining
	 */
	public RejectionsAssert withPortUnreachable() {
		return every(answer -> answer.isIcmp(4, 3, 3) || answer.isIcmp(6, 1, 4),
				RejectionsShould.toBeRejectedWithPortUnreachable());
	}

	/**
	 * The answers, for assertions of your own.
	 *
	 * @return each matching packet's answer, in the order the packets were matched
	 */
	public List<Answer> answers() {
		return answers.stream().map(Optional::orElseThrow).toList();
	}

	private RejectionsAssert every(Predicate<Answer> condition, String expectation) {
		isNotNull();
		if (!answers.stream().allMatch(answer -> answer.filter(condition).isPresent())) {
			throwAssertionError(shouldBeAnsweredWith(actual, filter, expectation, refused, answers, condition));
		}
		return myself;
	}
}
