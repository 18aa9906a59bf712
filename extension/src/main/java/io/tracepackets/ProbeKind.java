package io.tracepackets;

/** What kind of probe saw an event. */
public enum ProbeKind {
	/** A kernel tracepoint such as {@code skb:kfree_skb}. */
	TRACEPOINT,
	/** A kernel function entry (kprobe, kprobe-multi or fentry). */
	FUNCTION,
	/** A BPF hook on the packet's path: {@code socket_receive}, cgroup_skb ingress (a socket accepted it). */
	HOOK
}
