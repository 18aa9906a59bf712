package io.tracepackets.assertj;

import static io.tracepackets.assertj.error.TraceShould.shouldBeKnownName;

import io.tracepackets.DropCount;
import io.tracepackets.DropKind;
import io.tracepackets.DropReason;
import io.tracepackets.KernelCounts;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracingUnavailableException;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Assertions on the kernel's exact count of drops ({@code kfree_skb}) in the trace's scope,
 * narrowed by reason, location and kind:
 * {@code assertThat(trace).drops().withReason(NO_SOCKET).atLocation("__udp4_lib_rcv").hasCount(376_000)}.
 * Each narrowing returns a new assertion; the count is the sum of the drops that pass them all.
 *
 * <p>Unlike {@link DropsAssert}, which is about the paths of matching packets, this counts every
 * drop the probes saw, whatever its tuple, and holds when the trace lost events: the answer of a
 * load test. Without narrowing it counts every kind of drop ({@link DropKind}), as
 * {@code perf stat -e skb:kfree_skb} would; {@code ofKind(DropKind.LOST)} keeps the losses.
 */
public class DropCountsAssert extends AbstractCountAssert<DropCountsAssert> {

	private static final String DROP_PROBE = "kfree_skb";

	private final Predicate<DropCount> selected;
	private final String description;

	/**
	 * Every drop of {@code actual}'s scope; usually made by {@link PacketTraceAssert#drops()}.
	 *
	 * @param actual the trace; null fails the first assertion
	 */
	public DropCountsAssert(PacketTrace actual) {
		this(actual, drop -> true, "drops");
	}

	private DropCountsAssert(PacketTrace actual, Predicate<DropCount> selected, String description) {
		super(actual, DropCountsAssert.class);
		this.selected = selected;
		this.description = description;
	}

	/**
	 * Only drops with {@code reason}.
	 *
	 * @param reason e.g. {@link DropReason#NO_SOCKET}; a name the running kernel lacks fails with suggestions
	 * @return a new assertion on the narrower count
	 * @throws TracingUnavailableException on a kernel without drop reasons (before Linux 5.17): the
	 *     test is skipped, or failed in strict mode; {@link #atLocation(String)} still works there
	 */
	public DropCountsAssert withReason(DropReason reason) {
		isNotNull();
		Objects.requireNonNull(reason, "reason");
		if (actual.probes().dropReasons().isEmpty()) {
			throw new TracingUnavailableException("drop reason " + reason.name(), "this kernel has no drop reasons"
					+ " (they came with Linux 5.17), so no drop can be counted by one; count by location instead, e.g."
					+ " drops().atLocation(\"nf_hook_slow\")");
		}
		if (!actual.probes().dropReasons().contains(reason.name())) {
			throwAssertionError(shouldBeKnownName(reason.name(), "drop reason of this kernel",
					actual.probes().dropReasonSuggestions(reason.name())));
		}
		return narrowed(drop -> drop.reason().equals(reason), " with reason " + reason.name());
	}

	/**
	 * Only drops freed in {@code function} (the location the kernel reported, not a caller: counts
	 * carry no stack).
	 *
	 * @param function a kernel function's name without offset, e.g. {@code "__udp4_lib_rcv"}; a
	 *     name the running kernel lacks fails with suggestions
	 * @return a new assertion on the narrower count
	 */
	public DropCountsAssert atLocation(String function) {
		isNotNull();
		Objects.requireNonNull(function, "function");
		if (!actual.probes().exists(function)) {
			throwAssertionError(shouldBeKnownName(function, "kernel function", actual.probes().suggestions(function)));
		}
		return narrowed(drop -> drop.locationFunction().equals(function), " at " + function);
	}

	/**
	 * Only drops of {@code kind}: {@link DropKind#LOST} for what a network engineer calls dropped.
	 *
	 * @param kind what the drops meant
	 * @return a new assertion on the narrower count
	 */
	public DropCountsAssert ofKind(DropKind kind) {
		Objects.requireNonNull(kind, "kind");
		return narrowed(drop -> drop.kind() == kind, " (" + kind.label() + ")");
	}

	/**
	 * Only drops in the namespace {@code inode}.
	 *
	 * @param inode a namespace of the trace's scope, as {@link io.tracepackets.TracedNamespace#inode()} gives it
	 * @return a new assertion on the narrower count
	 */
	public DropCountsAssert inNamespace(long inode) {
		return narrowed(drop -> drop.netns() == inode, " in netns " + inode);
	}

	private DropCountsAssert narrowed(Predicate<DropCount> also, String words) {
		DropCountsAssert narrower = new DropCountsAssert(actual, selected.and(also), description + words);
		narrower.info.useRepresentation(info.representation());
		narrower.info.description(info.description());
		return narrower;
	}

	@Override
	protected String counted() {
		return description;
	}

	@Override
	protected long count(KernelCounts counts) {
		return counts.drops().stream().filter(selected).mapToLong(DropCount::count).sum();
	}

	@Override
	protected String probe() {
		return DROP_PROBE;
	}
}
