package io.tracepackets;

import java.util.List;
import java.util.Set;

/**
 * What the running tracer can see: its backend, the tracepoints and functions it probes, and the
 * kernel's function names, so assertions can tell "not reached" from "cannot be seen" from
 * "no such function".
 */
public interface ProbeCatalog {

	/**
	 * The backend's name: {@code tracepoint}, {@code kprobe}, {@code kprobe-multi}, {@code fentry}.
	 *
	 * @return the {@link Backend#label()} of the backend in use, never {@code auto}
	 */
	String backend();

	/**
	 * Why this backend was chosen, and why each better one was refused.
	 *
	 * @return the reason, for failure messages, e.g. {@code "fentry: the best backend this kernel
	 *     accepted; kprobe-multi refused: ...EOPNOTSUPP..."}
	 */
	String backendReason();

	/**
	 * {@link #backendReason()} in one short clause: the backend, why, and which better ones were
	 * refused without their reasons (logged once when the tracer starts). Failure messages use it.
	 *
	 * @return e.g. {@code "tracepoint: no function backend is available on this kernel;
	 *     kprobe-multi, fentry, kprobe refused (why: the tracer's log at start, ...)"}
	 */
	default String backendSummary() {
		return backendReason();
	}

	/**
	 * Whether a clone or copy of a packet (skb_clone, skb_copy, pskb_copy, skb_copy_expand) stays in
	 * its parent's journey: the function backends attach programs to those functions, tracepoints
	 * cannot see them.
	 *
	 * @return true when the tracer's copy programs are attached; false by default, so a copy
	 *     starts a journey of its own
	 */
	default boolean followsCopies() {
		return false;
	}

	/**
	 * Whether events carry what {@code function} returned ({@link PacketEvent#returned()}): a
	 * function backend records it for the functions of {@link ReturnValue#RECORDED}.
	 *
	 * @param function a kernel function, e.g. {@code "ip_route_input_noref"}
	 * @return true when the tracer's entry and return programs for it are attached; false by
	 *     default (the tracepoint backend sees no function return)
	 */
	default boolean recordsReturnOf(String function) {
		return false;
	}

	/**
	 * Why {@link #recordsReturnOf(String)} refuses {@code function}: no function backend, the kernel
	 * lacks the function, or its probes did not attach. By default the backend's reason.
	 *
	 * @param function a function of {@link ReturnValue#RECORDED}
	 * @return a clause for the failure message
	 */
	default String whyReturnNotRecorded(String function) {
		return "the " + backend() + " backend probes no kernel function's return: " + backendSummary();
	}

	/**
	 * Why events named {@code name} cannot appear in a trace, as precisely as known: the regex
	 * excluded the function, attaching it failed, it takes no skb… By default the backend's reason.
	 *
	 * @param name an event name that {@link #observes(String)} refuses, e.g. {@code "tcp_v4_rcv"}
	 * @return a clause for the failure message, e.g. {@code "the functions regex
	 *     "^ip_" excludes it"}
	 */
	default String whyNotObserved(String name) {
		return backendSummary();
	}

	/**
	 * Whether events named {@code where} can appear in a trace.
	 *
	 * @param where an event name as {@link PacketEvent#where()} has it: {@code "kfree_skb"},
	 *     {@code "ip_rcv"}, {@code "socket_receive"}
	 * @return true when an attached probe emits events of that name
	 */
	boolean observes(String where);

	/**
	 * Whether {@code name} is a tracepoint this library knows or a function of the running kernel.
	 *
	 * @param name a tracepoint ({@code "kfree_skb"}, {@code "skb:kfree_skb"}), a kernel function
	 *     or the {@code "socket_receive"} hook
	 * @return true when the name exists, observed or not; false for a typo such as
	 *     {@code "ip_ouput"}
	 */
	boolean exists(String name);

	/**
	 * Names close to {@code name} among tracepoints and kernel functions, nearest first.
	 *
	 * @param name a name that {@link #exists(String)} refused, e.g. {@code "ip_ouput"}
	 * @return a few names for "did you mean", e.g. {@code ["ip_output"]}; empty when none is
	 *     close
	 */
	List<String> suggestions(String name);

	/**
	 * What kind of probe point {@code name} is, as a sentence says it: {@code "a tracepoint"},
	 * {@code "a hook"} ({@value PacketEvent#SOCKET_RECEIVE}) or {@code "a kernel function"}.
	 *
	 * @param name a name that {@link #exists(String)} accepts
	 * @return the kind with its article, to follow "it is" in a message
	 */
	String kindOf(String name);

	/**
	 * Every name that {@link #observes(String)} accepts.
	 *
	 * @return the tracepoints, functions and hook this tracer probes; unordered, immutable
	 */
	Set<String> observed();

	/**
	 * The running kernel's drop reason names (enum skb_drop_reason, without prefix).
	 *
	 * @return names such as {@code "NO_SOCKET"} in the enum's order; empty before Linux 5.17,
	 *     whose drops have no reason
	 */
	List<String> dropReasons();

	/**
	 * The running kernel's drop reasons closest to {@code name}, nearest first.
	 *
	 * @param name a reason name this kernel lacks, without prefix, e.g. {@code "NETFILTER_DROPPED"}
	 * @return a few of {@link #dropReasons()}, e.g. {@code ["NETFILTER_DROP"]}; empty when none
	 *     is close
	 */
	List<String> dropReasonSuggestions(String name);
}
