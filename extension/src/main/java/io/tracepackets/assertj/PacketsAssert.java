package io.tracepackets.assertj;

import static io.tracepackets.assertj.error.PacketsShould.shouldAllBe;
import static io.tracepackets.assertj.error.PacketsShould.shouldHaveCount;
import static io.tracepackets.assertj.error.PacketsShould.shouldNone;
import static io.tracepackets.assertj.error.RejectionsShould.shouldBeAnsweredWith;
import static io.tracepackets.assertj.error.TraceShould.shouldBeKnownName;
import static io.tracepackets.assertj.error.TraceShould.shouldCarryPacketBytes;
import static io.tracepackets.assertj.error.TraceShould.shouldHaveANamespaceInScope;
import static io.tracepackets.assertj.error.TraceShould.shouldNotHaveLostEvents;

import io.tracepackets.Answer;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketFilter;
import io.tracepackets.PacketPath;
import io.tracepackets.PacketTrace;
import io.tracepackets.ReturnValue;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.assertj.error.Expectation;
import io.tracepackets.assertj.error.RejectionsShould;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on the packets of a trace that match a filter. Positive assertions ("were dropped",
 * "reached") wait up to the trace's await timeout for the kernel's events; negative ones ("were
 * not dropped", "never reached") first flush, so they cannot pass because the reader was late.
 * Every assertion fails when the trace lost events, and when nothing is in its scope: no packet
 * could match, so {@code areNone()} or {@code hasCount(0)} would be green about packets nobody
 * looked at.
 *
 * <p>An assertion that names a probe point the backend cannot see throws
 * {@link TracingUnavailableException} rather than give a false answer: {@code @TracePackets} turns
 * it into a skipped test, or a failed one in strict mode.
 */
public class PacketsAssert extends AbstractAssert<PacketsAssert, PacketTrace> {

	/** The tracepoint every drop is seen at, whatever the backend: a drop negative rests on its runs. */
	private static final String DROP_PROBE = "kfree_skb";

	private final PacketFilter filter;

	/**
	 * Assertions on the packets of {@code actual} that match {@code filter}; usually made by
	 * {@link PacketTraceAssert#packets(PacketFilter)}.
	 *
	 * @param actual the trace; null fails the first assertion
	 * @param filter which packets, e.g. {@code udp().dstPort(9000)}
	 */
	public PacketsAssert(PacketTrace actual, PacketFilter filter) {
		super(actual, PacketsAssert.class);
		this.filter = filter;
	}

	/**
	 * Exactly {@code expected} matching packets (waits for them, then flushes and counts). A copy
	 * that a bridge flooded out of the traced namespaces while its twin went on in them is one
	 * packet with its twin (see {@link #wereDelivered()}), counted once; {@link PacketTrace#paths()}
	 * still shows both.
	 *
	 * @param expected how many packets, 0 or more; waits until that many arrived or the await
	 *     timeout passed
	 * @return this assertion, for chaining
	 */
	public PacketsAssert hasCount(int expected) {
		isScoped();
		actual.awaitPaths(paths -> BridgeFloodCopies.countedOnce(matching(paths)).size() >= expected,
				actual.awaitTimeout());
		List<PacketPath> matches = BridgeFloodCopies.countedOnce(matches());
		if (matches.size() != expected) {
			throwAssertionError(shouldHaveCount(actual, filter, expected, matches));
		}
		// An exact count holds only if no packet can have vanished: one whose tracepoint runs were skipped.
		requireNoSkippedRuns(actual, "hasCount(" + expected + ")");
		return myself;
	}

	/**
	 * No matching packet at all (flushes first).
	 *
	 * @return this assertion, for chaining
	 */
	public PacketsAssert areNone() {
		isScoped();
		List<PacketPath> matches = matches();
		if (!matches.isEmpty()) {
			throwAssertionError(shouldNone(actual, filter, Expectation.toSeeNoPacket(), matches));
		}
		requireNoSkippedRuns(actual, "areNone()");
		return myself;
	}

	/**
	 * At least one matching packet, and every one was dropped: lost before it reached its
	 * destination ({@link io.tracepackets.DropKind#LOST}).
	 *
	 * @return assertions on those drops: where ({@link DropsAssert#in(String)}) and why
	 *     ({@link DropsAssert#withReason(io.tracepackets.DropReason)})
	 */
	public DropsAssert wereDropped() {
		List<PacketPath> matches = awaitAll(PacketPath::wasDropped, Expectation.toBeDropped());
		return new DropsAssert(actual, filter, matches);
	}

	/**
	 * At least one matching packet, and every one was refused: a TCP RST or an ICMP error came
	 * back for it, sent by a REJECT rule or by the kernel itself (a closed TCP port's RST, a
	 * closed UDP port's port unreachable), and traced (its path was in scope). Waits for the
	 * answers, then flushes. A failure lists each packet with the answer that came, or "no answer
	 * traced" and the drop when it was dropped silently. See {@link Answer} for how
	 * an answer is tied to its packet.
	 *
	 * @return assertions on the answers: {@link RejectionsAssert#withReset()},
	 *     {@link RejectionsAssert#withIcmp(int, int)}, {@link RejectionsAssert#withPortUnreachable()}
	 */
	public RejectionsAssert wereRejected() {
		isScoped();
		actual.awaitPaths(paths -> {
			List<PacketPath> matches = matching(paths);
			return !matches.isEmpty() && Answer.findAll(matches, paths).stream()
					.allMatch(Optional::isPresent);
		}, actual.awaitTimeout());
		List<PacketPath> paths = actual.paths();
		checkNoLoss();
		List<PacketPath> matches = matching(paths);
		List<Optional<Answer>> answers = Answer.findAll(matches, paths);
		if (matches.isEmpty() || !answers.stream().allMatch(Optional::isPresent)) {
			throwAssertionError(shouldBeAnsweredWith(actual, filter,
					RejectionsShould.toBeRejected(), matches, answers, answer -> true));
		}
		return new RejectionsAssert(actual, filter, matches, answers);
	}

	/**
	 * At least one matching packet, and every one was dropped by an XDP program: seen returning
	 * XDP_DROP by the probe on the program (fexit, where function probes work; native XDP, where
	 * no skb exists), or freed by generic XDP ({@code do_xdp_generic}) on a device with a
	 * generic-mode program, named by attach point. Where neither is visible (native XDP with no
	 * probe on the program) the packet never reaches the stack, and the failure lists the XDP
	 * programs attached in the traced namespaces.
	 *
	 * @return assertions on those drops, e.g. {@link DropsAssert#byProgram(String)}
	 */
	public DropsAssert wereDroppedByXdp() {
		List<PacketPath> matches = awaitAll(path -> path.wasDropped() && path.culprit()
				.filter(io.tracepackets.DropCulprit.BpfProgram.class::isInstance)
				.map(io.tracepackets.DropCulprit.BpfProgram.class::cast)
				.filter(io.tracepackets.DropCulprit.BpfProgram::isXdp).isPresent(),
				Expectation.toBeDroppedByXdp());
		return new DropsAssert(actual, filter, matches);
	}

	/**
	 * At least one matching packet, and none was lost (flushes before checking). A packet its
	 * receiver discarded unread, or a buffer whose data lives on, was not dropped in this sense:
	 * see {@link #wereNeverFreedWithAReason()} for the kernel's raw view.
	 *
	 * @return this assertion, for chaining
	 */
	public PacketsAssert wereNotDropped() {
		return none(PacketPath::wasDropped, Expectation.notToBeDropped(), DROP_PROBE);
	}

	/**
	 * At least one matching packet, and every one reached its socket and was discarded there,
	 * unread: a receive queue purged at close, a socket shut down
	 * ({@link io.tracepackets.DropKind#DISCARDED_AFTER_DELIVERY}).
	 *
	 * @return assertions on those discards: in which function, for which reason
	 */
	public DropsAssert wereDiscardedAfterDelivery() {
		List<PacketPath> matches = awaitAll(PacketPath::wasDiscardedAfterDelivery, Expectation.toBeDiscardedAfterDelivery());
		return new DropsAssert(actual, filter, matches);
	}

	/**
	 * At least one matching packet, and the kernel freed none with a reason ({@code kfree_skb}),
	 * whatever the drop would have meant: the raw view of tools such as pwru (flushes first).
	 *
	 * @return this assertion, for chaining
	 */
	public PacketsAssert wereNeverFreedWithAReason() {
		return none(PacketPath::wasFreedWithAReason, Expectation.neverToBeFreedWithAReason(), DROP_PROBE);
	}

	/** No matching path meets {@code condition}; sure only if no run of the probe at {@code where} was skipped. */
	private PacketsAssert none(Predicate<PacketPath> condition, Expectation expectation, String where) {
		awaitAny();
		List<PacketPath> offending = nonEmptyMatches(expectation).stream().filter(condition).toList();
		if (!offending.isEmpty()) {
			throwAssertionError(shouldNone(actual, filter, expectation, offending));
		}
		requireNoSkippedRuns(actual, "packets " + expectation, actual.skippedProbeRuns(where), "at " + where);
		return myself;
	}

	/**
	 * At least one matching packet, and every one was delivered and never dropped — checked again
	 * after a flush, since a drop may come late. Where the kernel allows the {@code socket_receive}
	 * hook (6.2+), delivered means a socket accepted it; elsewhere, received by a namespace's stack
	 * or read by a socket ({@link PacketPath#wasDelivered()}), since no tracepoint marks a UDP read.
	 *
	 * @return this assertion, for chaining
	 */
	public PacketsAssert wereDelivered() {
		boolean toSocket = actual.probes().observes(PacketEvent.SOCKET_RECEIVE);
		Predicate<PacketPath> delivered = toSocket ? PacketPath::reachedSocket
				: PacketPath::wasDelivered;
		Expectation expectation = Expectation.toBeDelivered(toSocket);
		// a copy a bridge flooded to another port, out of scope, is the same packet as its delivered twin
		awaitAllAmong(paths -> BridgeFloodCopies.orCopyOfOneThat(paths, delivered), expectation);
		return myself;
	}

	/**
	 * Every matching packet was seen at {@code where}, a tracepoint or a kernel function.
	 *
	 * @param where an event name: a tracepoint ({@code "netif_receive_skb"}), a kernel function
	 *     ({@code "ip_local_deliver"}) or the {@code "socket_receive"} hook
	 * @return this assertion, for chaining
	 * @throws TracingUnavailableException when the backend cannot see {@code where}
	 */
	public PacketsAssert reached(String where) {
		checkObservable(where);
		awaitAll(path -> path.reached(where), Expectation.toReach(where));
		return myself;
	}

	/**
	 * No matching packet was seen at {@code where} (flushes first); at least one packet must match.
	 *
	 * @param where an event name: a tracepoint ({@code "netif_receive_skb"}), a kernel function
	 *     ({@code "ip_local_deliver"}) or the {@code "socket_receive"} hook
	 * @return this assertion, for chaining
	 * @throws TracingUnavailableException when the backend cannot see {@code where}
	 */
	public PacketsAssert neverReached(String where) {
		checkObservable(where);
		return none(path -> path.reached(where), Expectation.neverToReach(where), where);
	}

	/**
	 * Every matching packet passed through {@code names} in this order (other events between allowed).
	 *
	 * @param names event names in order, e.g. {@code "ip_rcv", "ip_local_deliver", "udp_rcv"}
	 * @return this assertion, for chaining
	 * @throws TracingUnavailableException when the backend cannot see one of the names
	 */
	public PacketsAssert passedThrough(String... names) {
		List<String> order = Arrays.asList(names);
		order.forEach(this::checkObservable);
		awaitAll(path -> path.passedThrough(order), Expectation.toPassThrough(order));
		return myself;
	}

	/**
	 * Every matching packet went through {@code function}, which returned {@code value} for it:
	 * {@code returned("ip_route_input_noref", -EHOSTUNREACH)} (with
	 * {@code import static io.tracepackets.KernelErrno.EHOSTUNREACH}). Needs a function backend,
	 * which records the return of the functions of {@link ReturnValue#RECORDED}; the failure shows
	 * each path with what those functions returned ({@code ip_route_input_noref → -EINVAL}).
	 *
	 * @param function one of {@link ReturnValue#RECORDED}, e.g. {@code "nf_hook_slow"}
	 * @param value what it returned: a negative error number ({@code -EPERM}), a verdict ({@code 1})
	 * @return this assertion, for chaining
	 * @throws IllegalArgumentException when {@code function}'s return is not one TracePackets records
	 * @throws TracingUnavailableException when the backend records no return of {@code function}
	 *     (the tracepoint backend, or its probes did not attach)
	 */
	public PacketsAssert returned(String function, int value) {
		return everyReturned(function, returned -> returned.value() == value,
				Expectation.toReturn(function, ReturnValue.text(value)));
	}

	/**
	 * As {@link #returned(String, int)}, with the value as the trace shows it: an error's name,
	 * {@code "-EXDEV"}, or, from a function that returns an {@code enum skb_drop_reason}
	 * (ip_route_input_noref since Linux 6.13), the reason's name, {@code "IP_RPFILTER"}.
	 *
	 * @param function one of {@link ReturnValue#RECORDED}
	 * @param value the value's text ({@link ReturnValue#text()}): {@code "-EPERM"}, {@code "1"},
	 *     {@code "IP_RPFILTER"}
	 * @return this assertion, for chaining
	 * @throws IllegalArgumentException when {@code function}'s return is not one TracePackets
	 *     records, or {@code value} is blank
	 * @throws TracingUnavailableException when the backend records no return of {@code function}
	 */
	public PacketsAssert returned(String function, String value) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException("returned(\"" + function + "\", value) needs the value as the trace shows it,"
					+ " e.g. \"-EHOSTUNREACH\", \"1\" or a drop reason's name; got " + (value == null ? "null" : "\"\""));
		}
		String expected = value.strip();
		return everyReturned(function, returned -> returned.text().equals(expected),
				Expectation.toReturn(function, expected));
	}

	/**
	 * Every matching packet went through {@code function}, which failed for it: returned a negative
	 * error number ({@link ReturnValue#isError()}), e.g. ip_route_input_noref's {@code -EHOSTUNREACH}
	 * or nf_hook_slow's {@code -EPERM}.
	 *
	 * @param function one of {@link ReturnValue#RECORDED}
	 * @return this assertion, for chaining
	 * @throws IllegalArgumentException when {@code function}'s return is not one TracePackets records
	 * @throws TracingUnavailableException when the backend records no return of {@code function}
	 */
	public PacketsAssert returnedError(String function) {
		return everyReturned(function, ReturnValue::isError, Expectation.toReturnAnError(function));
	}

	/** Every matching path has a return of {@code function} that {@code value} accepts. */
	private PacketsAssert everyReturned(String function, Predicate<ReturnValue> value, Expectation expectation) {
		checkReturnRecorded(function);
		awaitAll(path -> path.events().stream().flatMap(event -> event.returned().stream())
				.anyMatch(returned -> returned.function().equals(function) && value.test(returned)), expectation);
		return myself;
	}

	/**
	 * Only the functions of {@link ReturnValue#RECORDED} have their return recorded, and only by a
	 * function backend whose programs for it attached: else the answer would be a false "never
	 * returned", so it throws {@link TracingUnavailableException} (a skipped test, a failure in
	 * strict mode) saying why.
	 */
	private void checkReturnRecorded(String function) {
		isScoped();
		if (!ReturnValue.RECORDED.contains(function)) {
			throw new IllegalArgumentException("the return value of " + function + " is not recorded: TracePackets"
					+ " records what " + String.join(", ", ReturnValue.RECORDED) + " return (ReturnValue.RECORDED);"
					+ " for another function assert where the packet went (reached, passedThrough, wereDropped().in)");
		}
		if (!actual.probes().recordsReturnOf(function)) {
			throw new TracingUnavailableException("the return value of " + function,
					actual.probes().whyReturnNotRecorded(function));
		}
	}

	/**
	 * Every matching packet passed {@code from}, then {@code to} (waits for them), and assertions
	 * on the time each took between the two, by the kernel's timestamps:
	 * {@code took("netif_receive_skb", "socket_receive").atMost(Duration.ofMillis(5))}. The time is
	 * counted from a packet's first event at {@code from} to its first at {@code to} after it
	 * ({@link PacketPath#took(String, String)}).
	 *
	 * @param from an event name: a tracepoint ({@code "net_dev_queue"}), a kernel function or the
	 *     {@code "socket_receive"} hook
	 * @param to an event name after it, e.g. {@code "net_dev_start_xmit"}
	 * @return assertions on the times: {@link TimeTakenAssert#atMost(java.time.Duration)},
	 *     {@link TimeTakenAssert#atLeast(java.time.Duration)}
	 * @throws TracingUnavailableException when the backend cannot see one of the names
	 */
	public TimeTakenAssert took(String from, String to) {
		checkObservable(from);
		checkObservable(to);
		List<PacketPath> timed = awaitAll(path -> path.took(from, to).isPresent(), Expectation.toBeTimed(from, to));
		return new TimeTakenAssert(actual, filter, from, to, timed);
	}

	private List<PacketPath> matches() {
		isScoped();
		// paths() flushes first, so the loss count read next covers every event it holds
		List<PacketPath> paths = actual.paths();
		checkNoLoss();
		if (filter.readsPacketBytes() && !paths.isEmpty() && paths.stream()
				.noneMatch(path -> path.events().stream().anyMatch(event -> event.packetBytes().isPresent()))) {
			// pcap(...) on a trace without bytes matches nothing: a negative would be green on nothing.
			throwAssertionError(shouldCarryPacketBytes(actual, filter));
		}
		return matching(paths);
	}

	/** The matches, failing when there are none: a negative assertion must not pass on no traffic. */
	private List<PacketPath> nonEmptyMatches(Expectation expectation) {
		List<PacketPath> matches = matches();
		if (matches.isEmpty()) {
			throwAssertionError(shouldAllBe(actual, filter, expectation, matches, path -> true));
		}
		return matches;
	}

	private List<PacketPath> matching(List<PacketPath> paths) {
		return paths.stream().filter(filter::matches).toList();
	}

	private void awaitAny() {
		isScoped();
		actual.awaitPaths(paths -> !matching(paths).isEmpty(), actual.awaitTimeout());
	}

	private List<PacketPath> awaitAll(Predicate<PacketPath> condition, Expectation expectation) {
		return awaitAllAmong(paths -> condition, expectation);
	}

	/** As above, with a condition that may look at the other matching paths too. */
	private List<PacketPath> awaitAllAmong(Function<List<PacketPath>, Predicate<PacketPath>> conditionAmong,
			Expectation expectation) {
		isScoped();
		actual.awaitPaths(paths -> {
			List<PacketPath> matches = matching(paths);
			return !matches.isEmpty() && matches.stream().allMatch(conditionAmong.apply(matches));
		}, actual.awaitTimeout());
		List<PacketPath> matches = matches();
		Predicate<PacketPath> condition = conditionAmong.apply(matches);
		if (matches.isEmpty() || !matches.stream().allMatch(condition)) {
			throwAssertionError(shouldAllBe(actual, filter, expectation, matches, condition));
		}
		return matches;
	}

	/** Not null, and something in scope: checked before waiting, so an empty scope fails at once. */
	private void isScoped() {
		isNotNull();
		if (hasNothingInScope(actual)) {
			throwAssertionError(shouldHaveANamespaceInScope(actual));
		}
	}

	static boolean hasNothingInScope(PacketTrace trace) {
		return trace.namespaces().isEmpty() && !trace.scopesEveryNamespace();
	}

	/** The ring buffer or the store lost events: any answer could be wrong. Skipped runs are told apart. */
	private void checkNoLoss() {
		if (actual.lostEvents() - actual.skippedProbeRuns() > 0) {
			throwAssertionError(shouldNotHaveLostEvents(actual));
		}
	}

	/**
	 * A packet-level negative ("no such packet", "exactly n") is sure unless a whole packet can
	 * have vanished: every packet in the stack meets the tracepoints (queued, received, freed), so
	 * only runs skipped there could hide one; runs skipped at kernel functions hide an event of a
	 * packet the tracepoints still show.
	 */
	static void requireNoSkippedRuns(PacketTrace trace, String assertion) {
		requireNoSkippedRuns(trace, assertion, trace.skippedTracepointRuns(), "at the tracepoints every packet meets");
	}

	/**
	 * A negative is sure only if the probes its answer rests on ran every time: {@code relevant}
	 * skipped runs of theirs may have been the very event it says did not happen, so it cannot
	 * answer ({@link TracingUnavailableException}: a skipped test, a failure in strict mode).
	 * Runs skipped elsewhere (with ~1,900 fentry trampolines a few in most busy tests) are logged.
	 */
	static void requireNoSkippedRuns(PacketTrace trace, String assertion, long relevant, String where) {
		if (relevant > 0) {
			throw new TracingUnavailableException("a sure answer to " + assertion, "the kernel skipped " + runs(relevant)
					+ " of the probes " + where + " while the trace was open (a probe already running on that CPU,"
					+ " or a kprobe inside another's handler): the event it says did not happen may have been one;"
					+ " send less at once, or probe fewer functions");
		}
		long skipped = trace.skippedProbeRuns();
		if (skipped > 0) {
			SKIPPED_RUNS_LOG.log(System.Logger.Level.WARNING, assertion + " held on what was seen: the kernel skipped "
					+ runs(skipped) + " while the trace was open, none " + where + " (each an event of a packet the"
					+ " other probes still show); assertThat(trace).hasNoLostEvents() fails on them");
		}
	}

	private static String runs(long count) {
		return count + " probe run" + (count == 1 ? "" : "s");
	}

	private static final System.Logger SKIPPED_RUNS_LOG = System.getLogger(PacketsAssert.class.getName());

	/**
	 * A name must exist in the kernel (else: did you mean…), and the backend must see it (else
	 * {@link TracingUnavailableException}: the test is skipped, or failed in strict mode, rather
	 * than given a false "not reached").
	 */
	void checkObservable(String where) {
		isScoped();
		if (actual.probes().observes(where)) {
			return;
		}
		if (!actual.probes().exists(where)) {
			throwAssertionError(shouldBeKnownName(where, "kernel function or tracepoint",
					actual.probes().suggestions(where)));
		}
		throw new TracingUnavailableException(where, "it is " + actual.probes().kindOf(where)
				+ ", but the " + actual.probes().backend() + " backend does not see it ("
				+ actual.probes().whyNotObserved(where) + ")");
	}
}
