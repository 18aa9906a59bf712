package io.tracepackets;

import java.util.List;
import java.util.Set;

/**
 * What the running tracer can see: its backend, the tracepoints and functions it probes, and the
 * kernel's function names, so assertions can tell "not reached" from "cannot be seen" from
 * "no such function".
 */
public interface ProbeCatalog {

	/** The backend's name: {@code tracepoint}, {@code kprobe}, {@code kprobe-multi}, {@code fentry}. */
	String backend();

	/** Why this backend was chosen, and why each better one was refused. */
	String backendReason();

	/**
	 * Why events named {@code name} cannot appear in a trace, as precisely as known: the regex
	 * excluded the function, attaching it failed, it takes no skb… By default the backend's reason.
	 */
	default String whyNotObserved(String name) {
		return backendReason();
	}

	/** Whether events named {@code where} can appear in a trace. */
	boolean observes(String where);

	/** Whether {@code name} is a tracepoint this library knows or a function of the running kernel. */
	boolean exists(String name);

	/** Names close to {@code name} among tracepoints and kernel functions, nearest first. */
	List<String> suggestions(String name);

	/**
	 * What kind of probe point {@code name} is, as a sentence says it: {@code "a tracepoint"},
	 * {@code "a hook"} ({@value PacketEvent#SOCKET_RECEIVE}) or {@code "a kernel function"}.
	 */
	String kindOf(String name);

	/** Every name that {@link #observes(String)} accepts. */
	Set<String> observed();

	/** The running kernel's drop reason names (enum skb_drop_reason, without prefix). */
	List<String> dropReasons();

	/** The running kernel's drop reasons closest to {@code name}, nearest first. */
	List<String> dropReasonSuggestions(String name);
}
