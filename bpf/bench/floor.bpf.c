// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Benchmark only, never in the extension jar: tp_btf programs that do nothing, for the
 * probe-cost bench's two reference points.
 * - accounting_floor, attached next to the tracer's programs while the bench reads the kernel's
 *   per-program accounting (kernel.bpf_stats_enabled): its ns per run is what the accounting
 *   itself charges every run (a clock read around the program), the floor under every figure.
 * - dispatch_*, one on each tracepoint a flood packet meets, with no tracer loaded: the packets/s
 *   they leave is what any BPF program on those tracepoints costs before it does anything.
 * - scope_read_*, on the same tracepoints: the least a scope check can do, the skb's namespace
 *   (skb->dev->nd_net.net->ns.inum, the loads the probes' check makes) compared with one inode
 *   that no namespace has. Its packets/s against dispatch_*'s is what knowing the namespace of
 *   every packet costs, whatever the check does with it.
 */
#include "kernel_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/netif_receive_skb")
int BPF_PROG(accounting_floor, struct sk_buff *skb)
{
	return 0;
}

#define DISPATCH(tracepoint)                                            \
	SEC("tp_btf/" #tracepoint)                                      \
	int BPF_PROG(dispatch_##tracepoint, struct sk_buff *skb)        \
	{                                                               \
		return 0;                                               \
	}

/* Set before load by nobody: 0, an inode no namespace has, so every packet is out of scope. */
const volatile __u32 scope_inum = 0;

#define SCOPE_READ(tracepoint)                                          \
	SEC("tp_btf/" #tracepoint)                                      \
	int BPF_PROG(scope_read_##tracepoint, struct sk_buff *skb)      \
	{                                                               \
		struct net_device *dev = skb->dev;                      \
									\
		return dev && dev->nd_net.net->ns.inum == scope_inum;   \
	}

DISPATCH(kfree_skb)
DISPATCH(net_dev_queue)
DISPATCH(net_dev_start_xmit)
DISPATCH(netif_rx)
DISPATCH(netif_receive_skb)

SCOPE_READ(kfree_skb)
SCOPE_READ(net_dev_queue)
SCOPE_READ(net_dev_start_xmit)
SCOPE_READ(netif_rx)
SCOPE_READ(netif_receive_skb)
