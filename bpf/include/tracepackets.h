/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The event every TracePackets probe writes to the ring buffer, shared by the BPF programs and
 * (mirrored once, in io.tracepackets.internal.event.EventLayout) by the Java reader.
 * Fixed-width fields, naturally aligned, no implicit padding: 120 bytes, so that with the ring
 * buffer's 8-byte record header an event fills exactly two cache lines (docs/benchmarks.md: a
 * record that shares a line with its neighbour measured ~50 ns more per probe). Optional
 * trailers follow it in the same record, named by `trailers` (enum tp_trailer), in that enum's
 * order.
 */
#ifndef __TRACEPACKETS_H
#define __TRACEPACKETS_H

#define TP_COMM_LEN 16
#define TP_ADDR_LEN 16

/* Which probe produced an event. Tracepoints are fixed ids; function probes (kprobe, fentry)
 * share TP_PROBE_FUNCTION and carry the function's address in `location`. */
enum tp_probe {
	TP_PROBE_KFREE_SKB = 1,		  /* skb:kfree_skb, a drop: reason, location, maybe a stack */
	TP_PROBE_CONSUME_SKB = 2,	  /* skb:consume_skb, a normal free */
	TP_PROBE_NETIF_RECEIVE_SKB = 3,	  /* net:netif_receive_skb */
	TP_PROBE_NET_DEV_QUEUE = 4,	  /* net:net_dev_queue */
	TP_PROBE_NET_DEV_START_XMIT = 5,  /* net:net_dev_start_xmit */
	TP_PROBE_NETIF_RX = 6,		  /* net:netif_rx */
	TP_PROBE_SKB_COPY_DATAGRAM = 7,	  /* skb:skb_copy_datagram_iovec: data read by a socket */
	TP_PROBE_SOCKET_RECEIVE = 8,	  /* cgroup_skb/ingress: a socket accepted the skb (sk_filter) */
	TP_PROBE_XDP = 9,		  /* fexit on an XDP program: it dropped a packet, no skb exists;
					   * skb: data address, location: program id, drop_reason: verdict */
	TP_PROBE_FUNCTION = 16,		  /* a kernel function, address in `location` */
	TP_PROBE_FUNCTION_RETURN = 17,	  /* a recorded function returned (RETURN_PROBES): its address in
					   * `location`, its int return value in `drop_reason`, the rest
					   * as the skb was when the function was entered */
	TP_PROBE_SYNTHETIC = 253,	  /* benchmark filler, never shown in traces */
	TP_PROBE_MARKER = 254,		  /* flush marker written on demand, `skb` holds its sequence */
};

/* What the probes emit; the tracer sets it in the config map. */
enum tp_mode {
	TP_MODE_OFF = 0,    /* no test is tracing: probes return at once */
	TP_MODE_NETNS = 1,  /* only skbs whose netns inode is in the netns_filter map */
	TP_MODE_ALL = 2,    /* every skb */
};

/* How many scoped netns inodes the config carries itself: a test scopes one to a few, and
 * comparing them in registers costs a few ns where the netns_filter hash lookup cost 35-65. */
#define TP_INLINE_NETNS 8

struct tp_config {
	__u32 mode;	     /* enum tp_mode */
	__u32 follow_copies; /* 1 once copy programs are attached: events look up journey_of_copy */
	__u32 netns_count;   /* scoped inodes; over TP_INLINE_NETNS: netns[] is unused, ask the hash */
	__u32 netns_bits;    /* bit (inode % 32) set for every scoped inode, inline or not: most inodes
			      * out of scope find theirs clear, and need no compare nor lookup.
			      * 0 under TP_MODE_OFF, every bit under TP_MODE_ALL: the probes' first
			      * test of a packet is its bit, whatever the mode */
	__u32 netns[TP_INLINE_NETNS]; /* the scoped inodes when they fit, then zeros */
};

/* Which drops carry their kernel stack (bpf_get_stackid costs microseconds per drop). */
enum tp_stacks {
	TP_STACKS_NETFILTER = 0, /* netfilter drops (and every drop before 5.17, which has no reasons) */
	TP_STACKS_ALL = 1,	 /* every drop */
};

/*
 * Which of an event's fields the probes fill: all, except in the probe-cost benchmark, which
 * leaves some out to show what each part of a probe costs.
 */
enum tp_fields {
	TP_FIELDS_ALL = 0,
	TP_FIELDS_NONE = 1,	/* the record alone: reserved, zeroed, its netns and probe, submitted */
	TP_FIELDS_IDENTITY = 2, /* and the clock, CPU, task and conntrack state; not the packet's */
	TP_FIELDS_STAGED = 3,	/* every field, staged per CPU and written TP_STAGE_EVENTS at a time (skb_events.bpf.h) */
};

/* Set by the tracer before load, as read-only globals (skb_events.bpf.h, tp_load). */
struct tp_load_options {
	__u32 snap_len;	 /* packet bytes each event carries; 0: none */
	__u32 uncounted; /* 1: no exact counts (the probe-cost benchmark's baseline only) */
	__u32 fields;	 /* enum tp_fields: read only by the probe-cost benchmark's build (TP_BENCH_FIELDS) */
};

/* Set by the tracer in the options map once, after load and before attaching. */
struct tp_options {
	__u32 stacks; /* enum tp_stacks */
	__u32 reserved;
};

/* Per-CPU counters, summed by the reader. */
enum tp_counter {
	TP_COUNTER_EMITTED = 0,	  /* events submitted to the ring buffer */
	TP_COUNTER_LOST = 1,	  /* events whose ring buffer reservation failed */
	TP_COUNTER_UNCOUNTED = 2, /* events the `counts` map had no room to count (it was full) */
	TP_COUNTER_MAX = 3,
};

/*
 * The key of the `counts` map (skb_events.bpf.h, count_event): what the probes count for every
 * event they would emit, whether or not the ring buffer has room for it. One entry per namespace
 * and probe; a drop's entry also per reason and location, a function's per function. 24 bytes,
 * no implicit padding (a map key is hashed whole, padding included).
 */
struct tp_count_key {
	__u32 netns;	/* the event's netns inode */
	__u32 probe;	/* enum tp_probe */
	__u32 reason;	/* kfree_skb: the drop reason; an XDP verdict: the verdict; else 0 */
	__u32 reserved;
	__u64 where;	/* kfree_skb: the location; a function: its address; XDP: the program's id; else 0 */
};

struct tp_event {
	__u64 ts_ns;	     /* bpf_ktime_get_ns() */
	__u64 skb;	     /* skb address: a packet's identity while it lives */
	__u64 location;	     /* kfree_skb: where it was freed; functions: function address */
	__u32 netns;	     /* inode of the skb's netns: its device's, else its socket's */
	__u32 ifindex;	     /* skb->dev's ifindex, else skb->skb_iif */
	__u32 mark;
	__u32 len;
	__u32 pid;	     /* tgid of the current task (often a softirq's borrowed task) */
	__u32 drop_reason;   /* enum skb_drop_reason for kfree_skb; a function return: the value it returned */
	__s16 stack_id;	     /* kfree_skb: id in the stacks map (< 4096), else -1 (see enum tp_stacks) */
	__u8 trailers;	     /* enum tp_trailer bits: which records follow this one, in the enum's order */
	__u8 ct;	     /* enum tp_ct bits: the skb's conntrack entry, 0 when it has none */
	__u16 cpu;
	__u16 protocol;	     /* skb->protocol in host order (ETH_P_IP...) */
	__u8 probe;	     /* enum tp_probe */
	__u8 ip_version;     /* 4, 6, or 0 when no IP header was found */
	__u8 l4_proto;	     /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP... */
	__u8 tcp_flags;	     /* TCP header byte 13: CWR ECE URG ACK PSH RST SYN FIN */
	__u16 sport;	     /* host order; ICMP: type */
	__u16 dport;	     /* host order; ICMP: code */
	__u8 saddr[TP_ADDR_LEN]; /* IPv4 in the first 4 bytes, network order */
	__u8 daddr[TP_ADDR_LEN];
	char comm[TP_COMM_LEN];
	__u64 journey;	     /* the packet's journey id (skb_events.bpf.h, journey_of): its skb's, or a copy's parent's */
};

/*
 * What may follow an event in its ring buffer record. The reader finds each trailer by these bits
 * (the store pads records to the longest kind, so their length cannot tell).
 */
enum tp_trailer {
	TP_TRAILER_NAT = 1,	/* a struct tp_pre_nat right after the event: translated, a ct zone or mark, or encapsulated */
	TP_TRAILER_CAPTURE = 2, /* a struct tp_capture and tp_snap_len bytes, after the NAT trailer if any */
};

/*
 * tp_event.ct: the skb's conntrack entry as the kernel holds it (skb->_nfct), one byte so the
 * common event does not grow. 0: no entry (never tracked, or conntrack found the packet invalid
 * and took its entry away: the reader tells which, see EventDecoder). Otherwise TP_CT_ENTRY, the
 * enum ip_conntrack_info in the low 3 bits (IP_CT_ESTABLISHED 0, RELATED 1, NEW 2,
 * ESTABLISHED_REPLY 3, RELATED_REPLY 4, UNTRACKED 7), and the entry's status bits that matter.
 */
enum tp_ct {
	TP_CT_INFO = 7,		 /* mask: enum ip_conntrack_info */
	TP_CT_CONFIRMED = 8,	 /* IPS_CONFIRMED: the entry is in the table (after POSTROUTING/INPUT) */
	TP_CT_SOURCE_NAT = 16,	 /* IPS_SRC_NAT: conntrack translates the connection's source */
	TP_CT_DESTINATION_NAT = 32, /* IPS_DST_NAT: conntrack translates its destination */
	TP_CT_ENTRY = 128,	 /* the skb has an entry, or is marked untracked (info 7) */
};

/*
 * When netfilter translated the packet (conntrack says SNAT or DNAT): conntrack's tuple for the
 * packet's direction, which is the packet's tuple before the translation; also the entry's zone
 * and mark when either is set. For an overlay's packet on the underlay (tunnel set), the tuple is
 * the outer headers' instead, and nat is 0. Only such packets carry it, so the common event stays small. 64
 * bytes: the record stays a whole number of cache lines. 8-byte aligned, so the probe copies it in
 * 8-byte words (2-byte ones took 81 instructions).
 */
struct __attribute__((aligned(8))) tp_pre_nat {
	__u8 saddr[TP_ADDR_LEN]; /* the family is the event's ip_version; zeros when nat is 0 */
	__u8 daddr[TP_ADDR_LEN];
	__u16 sport;	     /* host order; ICMP: the echo id */
	__u16 dport;	     /* host order */
	__u8 nat;	     /* enum tp_nat bits; 0: not translated, the trailer is here for zone or mark */
	__u8 reply;	     /* 1 when the packet goes in the connection's reply direction */
	__u16 zone;	     /* the conntrack entry's zone id (CONFIG_NF_CONNTRACK_ZONES), 0 by default */
	__u32 ct_mark;	     /* the conntrack entry's mark (CONFIG_NF_CONNTRACK_MARK, -j CONNMARK) */
	__u8 vni[3];	     /* tunnel: the VXLAN network identifier, network order */
	__u8 tunnel;	     /* enum tp_tunnel: an encapsulated packet, its outer tuple above; 0: none */
	__u8 reserved[16];
};

/*
 * tp_pre_nat.tunnel: the event is an overlay's packet on the underlay, its tuple the inner
 * packet's, and the trailer's tuple (nat 0) is the outer one, of this family.
 */
enum tp_tunnel {
	TP_TUNNEL_VXLAN4 = 1, /* VXLAN in IPv4 */
	TP_TUNNEL_VXLAN6 = 2, /* VXLAN in IPv6 */
};

/* tp_pre_nat.nat bits: which translations conntrack recorded for the packet's connection. */
enum tp_nat {
	TP_NAT_SOURCE = 1,	/* SNAT or masquerade */
	TP_NAT_DESTINATION = 2, /* DNAT or redirect */
};

/*
 * Packet bytes, only when the tracer asked for them (tp_snap_len, set before load): every record
 * then carries a struct tp_capture and tp_snap_len bytes (TP_TRAILER_CAPTURE), of which cap_len
 * hold the packet, and is padded at its end to whole cache lines (TP_RECORD_SIZE).
 */
#define TP_SNAP_MAX 1024

/* The ring buffer's header before every record. */
#define TP_RINGBUF_HEADER 8
/* What a probe reserves for `size` bytes: with the header, a whole number of 64-byte lines. */
#define TP_RECORD_SIZE(size) ((((size) + TP_RINGBUF_HEADER + 63) & ~63) - TP_RINGBUF_HEADER)

/* Where the captured bytes start, as pcap's LINKTYPE_ numbers. */
enum tp_link {
	TP_LINK_NONE = 0,	/* nothing captured */
	TP_LINK_ETHERNET = 1,	/* LINKTYPE_ETHERNET: at the skb's MAC header */
	TP_LINK_RAW = 101,	/* LINKTYPE_RAW: at the IP header, no link layer */
};

struct tp_capture {
	__u32 orig_len;	 /* the packet's length counted from where the capture starts */
	__u16 cap_len;	 /* bytes captured: at most tp_snap_len, and only the skb's linear data */
	__u16 link_type; /* enum tp_link */
};

/* Context of the marker program (BPF_PROG_TEST_RUN ctx_in): args[0] of its raw tracepoint context. */
struct tp_marker_ctx {
	__u64 sequence;
};

/* Context of the synthetic-burst program used by the reader benchmark. */
struct tp_burst_ctx {
	__u32 count;
	__u32 reserved;
};

#endif /* __TRACEPACKETS_H */
