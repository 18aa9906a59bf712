// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * "The packet reached a socket": a cgroup_skb ingress program runs inside sk_filter when the
 * socket layer accepts an skb for a socket (UDP and TCP alike), which no tracepoint marks — a UDP
 * datagram read by its application is copied and freed without one. Attached to the root of the
 * cgroup v2 hierarchy, so it sees every socket, and always lets the packet through.
 *
 * bpf_cast_to_kern_ctx (6.2+) turns the __sk_buff view into the kernel's sk_buff, whose address
 * is the packet's identity in every other event. A separate object, so that kernels without the
 * kfunc still load the main one; its maps are the main object's (reused fds).
 */
#include "kernel_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "tracepackets.h"
#include "skb_events.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

SEC("cgroup_skb/ingress")
int socket_receive(struct __sk_buff *ctx)
{
	struct sk_buff *skb = bpf_cast_to_kern_ctx(ctx);

	trace_skb(skb, TP_PROBE_SOCKET_RECEIVE, false, false, true);
	return 1; /* observe only: never drop */
}
