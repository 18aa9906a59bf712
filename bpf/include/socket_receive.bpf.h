/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * "The packet reached a socket": a cgroup_skb ingress program runs inside sk_filter when the
 * socket layer accepts an skb for a socket (UDP and TCP alike), which no tracepoint marks — a UDP
 * datagram read by its application is copied and freed without one. Attached to the root of the
 * cgroup v2 hierarchy, so it sees every socket, and always lets the packet through.
 *
 * bpf_cast_to_kern_ctx (6.2+) turns the __sk_buff view into the kernel's sk_buff, whose address
 * is the packet's identity in every other event. Built into the guarded probes (6.14+, which all
 * have the kfunc: one object, one load), and on its own as socket_receive.bpf.c for 6.2 to 6.13,
 * so that kernels without the kfunc still load the plain probes.
 */
#ifndef TP_SOCKET_RECEIVE_BPF_H
#define TP_SOCKET_RECEIVE_BPF_H

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

SEC("cgroup_skb/ingress")
int socket_receive(struct __sk_buff *ctx)
{
	struct sk_buff *skb = bpf_cast_to_kern_ctx(ctx);

	/* unguarded: the kernel does not skip a cgroup program it runs again on a CPU, and the
	 * interrupt kfuncs are for tracing programs */
	trace_skb(skb, TP_PROBE_SOCKET_RECEIVE, false, false, true, false);
	return 1; /* observe only: never drop */
}

#endif
