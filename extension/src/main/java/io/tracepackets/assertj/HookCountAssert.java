package io.tracepackets.assertj;

import io.tracepackets.KernelCounts;
import io.tracepackets.PacketTrace;

/**
 * Assertions on the kernel's exact count of events at one probe point, every namespace in scope
 * summed: {@code assertThat(trace).counts().at("net_dev_queue").hasCount(376_000)}.
 */
public class HookCountAssert extends AbstractCountAssert<HookCountAssert> {

	private final String where;

	/**
	 * Made by {@link KernelCountsAssert#at(String)}, which checks that the probes see {@code where}.
	 *
	 * @param actual the trace
	 * @param where an event name: a tracepoint, a kernel function, {@code "socket_receive"} or {@code "xdp"}
	 */
	public HookCountAssert(PacketTrace actual, String where) {
		super(actual, HookCountAssert.class);
		this.where = where;
	}

	@Override
	protected String counted() {
		return "events at " + where;
	}

	@Override
	protected long count(KernelCounts counts) {
		return counts.at(where);
	}

	@Override
	protected String probe() {
		return where;
	}
}
