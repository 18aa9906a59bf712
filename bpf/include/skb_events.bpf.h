/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What every TracePackets program shares: the maps (config, netns filter, ring buffer, counters,
 * stacks) and filter-then-emit. Included by each .bpf.c; the tracer makes later objects reuse the
 * first one's maps (bpf_map__reuse_fd), so all programs feed one ring buffer.
 * `in_task`: false for programs that run without a task to ask (cgroup_skb), whose verifier
 * refuses the current-task helpers; the calls are compiled out there.
 */
#ifndef __SKB_EVENTS_BPF_H
#define __SKB_EVENTS_BPF_H

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_ICMPV6 58
#define IPPROTO_HOPOPTS 0
#define IPPROTO_ROUTING 43
#define IPPROTO_FRAGMENT 44
#define IPPROTO_AH 51
#define IPPROTO_DSTOPTS 60
#define AF_NETLINK 16


/* Set by the tracer; one entry. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tp_config);
} config SEC(".maps");

/* The netns inodes being traced (TP_MODE_NETNS): the union of every open test window's scope. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} netns_filter SEC(".maps");

/* Sized by the tracer before load (bpf_map__set_max_entries). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TP_COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Kernel stacks of drops: "dropped in nf_hook_slow" also holds when nf_hook_slow is a caller. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 4096);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 32 * sizeof(__u64));
} stacks SEC(".maps");

static __always_inline void count(__u32 counter)
{
	__u64 *value = bpf_map_lookup_elem(&counters, &counter);

	if (value)
		*value += 1;
}

/*
 * The skb's netns inode: its device's, else its socket's, else — for skbs that have neither,
 * like a UDP datagram being read (UDP clears skb->dev and never sets skb->sk) — the current
 * task's. 0 for netlink messages, which are not packets.
 */
static __always_inline __u32 skb_netns(struct sk_buff *skb, bool in_task)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	struct task_struct *task;
	struct sock *sk;

	if (dev)
		return BPF_CORE_READ(dev, nd_net.net, ns.inum);
	sk = BPF_CORE_READ(skb, sk);
	if (sk) {
		if (BPF_CORE_READ(sk, __sk_common.skc_family) == AF_NETLINK)
			return 0;
		return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	}
	if (!in_task)
		return 0;
	task = (struct task_struct *)bpf_get_current_task();
	return BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
}

/* Returns the skb's netns inode when the current mode wants it, else 0. */
static __always_inline __u32 wanted(struct sk_buff *skb, bool in_task)
{
	__u32 zero = 0;
	struct tp_config *cfg = bpf_map_lookup_elem(&config, &zero);
	__u32 inum;

	if (!cfg || cfg->mode == TP_MODE_OFF || !skb)
		return 0;
	inum = skb_netns(skb, in_task);
	if (!inum)
		return 0;
	if (cfg->mode == TP_MODE_NETNS && !bpf_map_lookup_elem(&netns_filter, &inum))
		return 0;
	return inum;
}

/* Fills the L3/L4 tuple. `from_data`: on receive paths skb->data is the network header, while
 * network_header may still hold the sender's offset or be unset. */
static __always_inline void fill_tuple(struct tp_event *e, struct sk_buff *skb, bool from_data)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	unsigned char *l3 = BPF_CORE_READ(skb, data);
	__u16 network_header = BPF_CORE_READ(skb, network_header);
	__u8 first, l4_proto = 0;
	unsigned char *l4;

	if (!from_data && network_header)
		l3 = head + network_header;
	if (e->protocol != ETH_P_IP && e->protocol != ETH_P_IPV6 && e->protocol != 0)
		return;
	if (bpf_probe_read_kernel(&first, 1, l3))
		return;

	if (first >> 4 == 4) {
		__u16 frag_off;

		e->ip_version = 4;
		bpf_probe_read_kernel(&l4_proto, 1, l3 + 9);
		bpf_probe_read_kernel(e->saddr, 4, l3 + 12);
		bpf_probe_read_kernel(e->daddr, 4, l3 + 16);
		bpf_probe_read_kernel(&frag_off, 2, l3 + 6);
		if (bpf_ntohs(frag_off) & 0x1fff)
			return; /* a later fragment has no L4 header */
		l4 = l3 + (first & 0x0f) * 4;
	} else if (first >> 4 == 6) {
		e->ip_version = 6;
		bpf_probe_read_kernel(&l4_proto, 1, l3 + 6);
		bpf_probe_read_kernel(e->saddr, 16, l3 + 8);
		bpf_probe_read_kernel(e->daddr, 16, l3 + 24);
		l4 = l3 + 40;
		/* Walk up to four extension headers (hop-by-hop, routing, destination options,
		 * fragment, AH) to the transport header, as MLD's hop-by-hop needs. */
#pragma unroll
		for (int i = 0; i < 4; i++) {
			__u8 ext[2];

			if (l4_proto != IPPROTO_HOPOPTS && l4_proto != IPPROTO_ROUTING && l4_proto != IPPROTO_DSTOPTS
			    && l4_proto != IPPROTO_FRAGMENT && l4_proto != IPPROTO_AH)
				break;
			if (bpf_probe_read_kernel(ext, sizeof(ext), l4))
				return;
			if (l4_proto == IPPROTO_FRAGMENT) {
				__be16 frag_off;

				bpf_probe_read_kernel(&frag_off, 2, l4 + 2);
				if (bpf_ntohs(frag_off) & 0xfff8) {
					e->l4_proto = ext[0];
					return; /* a later fragment has no L4 header */
				}
				l4 += 8;
			} else if (l4_proto == IPPROTO_AH) {
				l4 += (ext[1] + 2) * 4;
			} else {
				l4 += (ext[1] + 1) * 8;
			}
			l4_proto = ext[0];
		}
	} else {
		return;
	}
	e->l4_proto = l4_proto;

	if (l4_proto == IPPROTO_TCP || l4_proto == IPPROTO_UDP) {
		__be16 ports[2];

		if (!bpf_probe_read_kernel(ports, sizeof(ports), l4)) {
			e->sport = bpf_ntohs(ports[0]);
			e->dport = bpf_ntohs(ports[1]);
		}
		if (l4_proto == IPPROTO_TCP)
			bpf_probe_read_kernel(&e->tcp_flags, 1, l4 + 13);
	} else if (l4_proto == IPPROTO_ICMP || l4_proto == IPPROTO_ICMPV6) {
		__u8 type_code[2];

		if (!bpf_probe_read_kernel(type_code, sizeof(type_code), l4)) {
			e->sport = type_code[0];
			e->dport = type_code[1];
		}
	}
}

/* Reserves and fills the common part of an event; NULL (and a counted loss) when full. */
static __always_inline struct tp_event *emit(struct sk_buff *skb, __u32 inum, __u8 probe, bool from_data,
					     bool in_task)
{
	struct tp_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	struct net_device *dev;

	if (!e) {
		count(TP_COUNTER_LOST);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->skb = (__u64)skb;
	e->netns = inum;
	e->probe = probe;
	e->cpu = bpf_get_smp_processor_id();
	e->stack_id = -1;
	if (in_task) {
		e->pid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(e->comm, sizeof(e->comm));
	}

	dev = BPF_CORE_READ(skb, dev);
	e->ifindex = dev ? BPF_CORE_READ(dev, ifindex) : BPF_CORE_READ(skb, skb_iif);
	e->mark = BPF_CORE_READ(skb, mark);
	e->len = BPF_CORE_READ(skb, len);
	e->protocol = bpf_ntohs(BPF_CORE_READ(skb, protocol));
	fill_tuple(e, skb, from_data);
	return e;
}

/*
 * Wake the reader only once a batch is waiting: a wakeup per event costs the producing CPU an
 * irq_work (halving a flood's packet rate in the benchmark), while the reader polls every few
 * milliseconds for whatever stays below the threshold. Markers always wake it.
 */
#define WAKEUP_BYTES (64 * 1024)

static __always_inline void submit(struct tp_event *e)
{
	__u64 flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP
										      : BPF_RB_NO_WAKEUP;

	bpf_ringbuf_submit(e, flags);
	count(TP_COUNTER_EMITTED);
}

static __always_inline int trace_skb(struct sk_buff *skb, __u8 probe, bool from_data, bool in_task)
{
	__u32 inum = wanted(skb, in_task);
	struct tp_event *e;

	if (!inum)
		return 0;
	e = emit(skb, inum, probe, from_data, in_task);
	if (e)
		submit(e);
	return 0;
}

#endif /* __SKB_EVENTS_BPF_H */
