package io.tracepackets;

/** What kind of probe saw an event. */
public enum ProbeKind {
	/** A kernel tracepoint such as {@code skb:kfree_skb}. */
	TRACEPOINT,
	/** A kernel function entry (kprobe, kprobe-multi or fentry). */
	FUNCTION,
	/**
	 * A kernel function's return (kretprobe or fexit), for the functions whose return value is
	 * recorded ({@link ReturnValue#RECORDED}): {@link PacketEvent#returned()} has it.
	 */
	FUNCTION_RETURN,
	/** A BPF hook on the packet's path: {@code socket_receive}, cgroup_skb ingress (a socket accepted it). */
	HOOK
}
