package io.tracepackets.assertj;

import static io.tracepackets.assertj.error.TraceShould.shouldBeKnownName;

import io.tracepackets.PacketTrace;
import io.tracepackets.TracingUnavailableException;
import java.util.Objects;

/**
 * Assertions on what the probes counted in the kernel ({@link PacketTrace#counts()}): exact
 * whatever the trace lost, so they answer load tests. Narrow to a probe point ({@link #at(String)})
 * or to the drops ({@link #drops()}).
 */
public class KernelCountsAssert extends org.assertj.core.api.AbstractAssert<KernelCountsAssert, PacketTrace> {

	/**
	 * Assertions on the counts of {@code actual}; usually made by {@link PacketTraceAssert#counts()}.
	 *
	 * @param actual the trace; null fails the first assertion
	 */
	public KernelCountsAssert(PacketTrace actual) {
		super(actual, KernelCountsAssert.class);
	}

	/**
	 * The events counted at {@code where}, every namespace in scope summed.
	 *
	 * @param where an event name: a tracepoint ({@code "net_dev_queue"}), a kernel function
	 *     ({@code "ip_rcv"}, function backends only) or the {@code "socket_receive"} hook
	 * @return assertions on that count, e.g. {@code .hasCount(n)}
	 * @throws TracingUnavailableException when the backend does not see {@code where}
	 */
	public HookCountAssert at(String where) {
		isNotNull();
		Objects.requireNonNull(where, "where");
		if (!actual.probes().observes(where)) {
			if (!actual.probes().exists(where)) {
				throwAssertionError(shouldBeKnownName(where, "kernel function or tracepoint",
						actual.probes().suggestions(where)));
			}
			throw new TracingUnavailableException(where, "it is " + actual.probes().kindOf(where) + ", but the "
					+ actual.probes().backend() + " backend does not see it (" + actual.probes().whyNotObserved(where)
					+ ")");
		}
		return new HookCountAssert(actual, where);
	}

	/**
	 * The drops ({@code kfree_skb}) counted in scope, every reason, location and kind.
	 *
	 * @return assertions on their count, to narrow with {@code withReason}, {@code atLocation}, {@code ofKind}
	 */
	public DropCountsAssert drops() {
		isNotNull();
		return new DropCountsAssert(actual);
	}
}
