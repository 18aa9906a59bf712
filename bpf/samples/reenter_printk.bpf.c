// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Test only, never shipped: a program that re-enters itself, so that the kernel skips a run and
 * counts it in the program's recursion_misses, the counter TracePackets adds to a trace's lost
 * events. reenter runs on the bpf_trace_printk tracepoint and itself calls bpf_printk, which fires
 * that tracepoint again on the same CPU while reenter is still running: the nested run is skipped.
 * start, a SEC("syscall") program run on demand, makes the first printk.
 */
#include "kernel_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL"; /* bpf_trace_printk is GPL-only */

SEC("tp_btf/bpf_trace_printk")
int BPF_PROG(reenter, const char *text)
{
	bpf_printk("tracepackets: re-entering");
	return 0;
}

SEC("syscall")
int start(void *ctx)
{
	bpf_printk("tracepackets: start");
	return 0;
}
