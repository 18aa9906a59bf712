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

/*
 * Wakes the reader once per 512 events: this measures what the reader sustains, and a reader
 * with no window open polls only every 100 ms. The probes do not wake it (submit in
 * skb_events.bpf.h: the interrupt a wakeup raises would come inside them); this program runs
 * from a syscall, where it does no harm.
 */
#define BURST_WAKEUP_EVENTS 512

static __always_inline void submit_waking(struct tp_event *e)
{
	__u64 emitted = count(TP_COUNTER_EMITTED);

	bpf_ringbuf_submit(e, emitted && !(emitted % BURST_WAKEUP_EVENTS) ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

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
	submit_waking(e);
	return 0;
}

SEC("syscall")
int emit_burst(struct tp_burst_ctx *ctx)
{
	bpf_loop(ctx->count, burst_one, NULL, 0);
	return 0;
}
