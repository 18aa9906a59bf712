// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Benchmark only, never in the extension jar: `emit_burst` writes `count` synthetic events to the
 * tracer's ring buffer as fast as the kernel can (bpf_loop), to measure what the Java reader
 * sustains independent of how fast packets can be generated. Its own object (bpf/Makefile's
 * `bench` target, packaged by the bench module and the extension's tests as
 * io/tracepackets/bpf/bench/burst.bpf.o); the loader makes its maps the main object's
 * (bpf_map__reuse_fd before load), so the events land in the ring buffer the reader drains.
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

static long burst_one(__u32 index, void *unused)
{
	struct tp_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		count(TP_COUNTER_LOST);
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->skb = index;
	e->probe = TP_PROBE_SYNTHETIC;
	e->stack_id = -1;
	submit(e);
	return 0;
}

SEC("syscall")
int emit_burst(struct tp_burst_ctx *ctx)
{
	bpf_loop(ctx->count, burst_one, NULL, 0);
	return 0;
}
