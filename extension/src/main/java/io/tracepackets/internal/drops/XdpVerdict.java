package io.tracepackets.internal.drops;

import io.tracepackets.DropKind;
/**
 * The drop verdicts of an XDP program, as the probe on the program (fexit) reports them: what each
 * meant and what to check. The probe emits an event for these two only ({@code enum xdp_action}:
 * {@code XDP_ABORTED} is 0, {@code XDP_DROP} 1), with the program's id as the event's location.
 */
public enum XdpVerdict {

	/** The program failed (an exception): the kernel drops the packet. */
	ABORTED("XDP_ABORTED", " (the program failed: an exception, see the xdp:xdp_exception tracepoint)"),
	/** The program chose to drop the packet. */
	DROP("XDP_DROP", ": check the program's drop conditions (its maps, its port or address lists)");

	private static final String LOCATION_PREFIX = "prog#";

	private final String action;
	private final String check;

	XdpVerdict(String action, String check) {
		this.action = action;
		this.check = check;
	}

	/**
	 * The verdict of the probe's event.
	 *
	 * @param code the action the program returned: 0 for {@code XDP_ABORTED}, else {@code XDP_DROP}
	 */
	public static XdpVerdict of(int code) {
		return code == 0 ? ABORTED : DROP;
	}

	/** The kernel's name of the action, e.g. {@code XDP_DROP}. */
	public String action() {
		return action;
	}

	/**
	 * What the verdict meant: always a loss, before any skb existed.
	 *
	 * @param programId the program's id
	 * @param device the device it runs on; null when unknown
	 */
	public Classification classify(long programId, String device) {
		return new Classification(DropKind.LOST, action + " from the XDP program (id " + programId + ")"
				+ on(device) + ": the packet ended before any skb existed");
	}

	/**
	 * The likely cause and what to check, as a drop's sentence says it.
	 *
	 * @param device the device the program runs on; null when unknown
	 */
	public String explain(String device) {
		return "an XDP program" + on(device) + " returned " + action + check;
	}

	/** The location of a verdict's event: the program, by id ({@code prog#42}). */
	public static String location(long programId) {
		return LOCATION_PREFIX + programId;
	}

	private static String on(String device) {
		return device == null ? "" : " on " + device;
	}
}
