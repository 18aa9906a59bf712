// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * "An XDP program dropped this packet": fexit on the XDP program itself (a BPF_PROG_TYPE_TRACING
 * program whose attach target is the XDP program's main function, as pwru's --filter-trace-xdp),
 * which sees the program's context and its verdict. An XDP program in native mode runs before any
 * skb exists, so no tracepoint or function probe sees a packet it drops.
 *
 * One object is loaded per traced XDP program (a tracing program is verified against one target),
 * with the target's id in .rodata.xdp, on the main object's maps (reused fds), so its events land
 * in the same ring buffer. Only drop verdicts (XDP_DROP, XDP_ABORTED) in a scoped namespace are
 * emitted: a passed packet becomes an skb the other probes see, and an event for it here would be
 * a second packet in the trace.
 *
 * The event: probe TP_PROBE_XDP, `skb` the packet's data address (its identity: no skb exists),
 * `location` the program's id, `drop_reason` the verdict, the tuple parsed from the frame's bytes
 * (Ethernet, then IPv4 or IPv6, then the ports), bounds-checked against data_end.
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

/* The traced XDP program's id, set by the tracer before load. */
const volatile __u32 tp_xdp_prog_id SEC(".rodata.xdp") = 0;

#define ETH_HLEN 14
#define FRAME_BYTES (ETH_HLEN + HEADER_BYTES)

static __always_inline void fill_frame_tuple(struct tp_event *e, const unsigned char *data, __u32 len)
{
	__u8 f[FRAME_BYTES] = {};
	__u8 *h = f + ETH_HLEN;
	__u32 ihl;
	__u8 l4_proto;

	/* One constant-size read (older verifiers refuse a variable size), which may run past data_end
	 * into the frame's tailroom: only the bytes below `len` are used. */
	if (len < ETH_HLEN || bpf_probe_read_kernel(f, sizeof(f), data))
		return;
	e->protocol = (__u16)f[12] << 8 | f[13];
	/* Fixed offsets into the stack copy (the verifier refuses a variable one); IPv4 options take
	 * a read at the transport header's kernel address, as fill_tuple does. */
	if (e->protocol == ETH_P_IP && len >= ETH_HLEN + 20 && (h[0] >> 4) == 4) {
		ihl = (h[0] & 0xf) * 4;
		e->ip_version = 4;
		l4_proto = h[9];
		__builtin_memcpy(e->saddr, h + 12, 4);
		__builtin_memcpy(e->daddr, h + 16, 4);
		e->l4_proto = l4_proto;
		if ((h[6] << 8 | h[7]) & 0x1fff || ETH_HLEN + ihl + 4 > len)
			return; /* a later fragment has no L4 header; or the frame ends first */
		if (ihl == 20)
			fill_ports(e, l4_proto, h + 20);
		else if (ihl > 20)
			fill_ports_at(e, l4_proto, data + ETH_HLEN + ihl);
	} else if (e->protocol == ETH_P_IPV6 && len >= ETH_HLEN + 40 && (h[0] >> 4) == 6) {
		e->ip_version = 6;
		l4_proto = h[6];
		__builtin_memcpy(e->saddr, h + 8, 16);
		__builtin_memcpy(e->daddr, h + 24, 16);
		e->l4_proto = l4_proto;
		if (ETH_HLEN + 40 + 4 <= len)
			fill_ports(e, l4_proto, h + 40);
	}
}

SEC("fexit")
int BPF_PROG(xdp_verdict, struct xdp_buff *xdp, int verdict)
{
	const struct tp_config *cfg;
	struct net_device *dev;
	unsigned char *data, *data_end;
	struct tp_event *e;
	__u32 inum;

	if (verdict != XDP_DROP && verdict != XDP_ABORTED)
		return 0;
	cfg = &config;
	if (cfg->mode == TP_MODE_OFF)
		return 0;
	dev = BPF_CORE_READ(xdp, rxq, dev);
	if (!dev)
		return 0;
	inum = BPF_CORE_READ(dev, nd_net.net, ns.inum);
	if (cfg->mode == TP_MODE_NETNS && !in_scope(cfg, inum))
		return 0;
	count_event(inum, TP_PROBE_XDP, verdict, tp_xdp_prog_id);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(TP_COUNTER_LOST);
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	data = BPF_CORE_READ(xdp, data);
	data_end = BPF_CORE_READ(xdp, data_end);
	e->ts_ns = bpf_ktime_get_ns();
	e->skb = (__u64)data;
	e->location = tp_xdp_prog_id;
	e->netns = inum;
	e->ifindex = BPF_CORE_READ(dev, ifindex);
	e->len = data_end > data ? (__u32)(data_end - data) : 0;
	e->drop_reason = verdict;
	e->stack_id = -1;
	e->probe = TP_PROBE_XDP;
	e->cpu = bpf_get_smp_processor_id();
	/* Usually a softirq's borrowed task, as for the other probes' receive events. */
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	fill_frame_tuple(e, data, e->len);
	submit(e);
	return 0;
}
