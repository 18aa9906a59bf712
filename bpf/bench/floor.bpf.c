// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Benchmark only, never in the extension jar: a tp_btf program that does nothing, attached next
 * to the tracer's programs while the probe-cost bench reads the kernel's per-program accounting
 * (kernel.bpf_stats_enabled). Its ns per run is what the accounting itself charges every run
 * (a clock read around the program), the floor under every other program's figure.
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
