/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The few kernel types TracePackets reads, declared by hand instead of a full vmlinux.h.
 *
 * Why: CO-RE relocates every field access by *name* against the running kernel's BTF, so a
 * program needs only the fields it touches, not the layout of the build machine's kernel. A
 * committed subset keeps the build independent of the build machine's kernel (no
 * `bpftool btf dump` at build time) and small enough to review. Offsets written here are
 * irrelevant: preserve_access_index makes clang record each access for libbpf to fix up.
 * Anonymous unions and structs in the real kernel (e.g. sk_buff's `headers` group) are
 * matched through by libbpf, so the fields are declared flat.
 */
#ifndef __TRACEPACKETS_KERNEL_TYPES_H
#define __TRACEPACKETS_KERNEL_TYPES_H

#include <linux/types.h>
#include <stdbool.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct ns_common {
	unsigned int inum;
};

struct net {
	struct ns_common ns;
};

typedef struct {
	struct net *net;
} possible_net_t;

struct nsproxy {
	struct net *net_ns;
};

struct task_struct {
	int tgid;
	struct nsproxy *nsproxy;
	char comm[16];
};

struct net_device {
	char name[16];
	int ifindex;
	possible_net_t nd_net;
};

struct sock_common {
	unsigned short skc_family;
	possible_net_t skc_net;
};

struct sock {
	struct sock_common __sk_common;
};

struct sk_buff {
	struct net_device *dev;
	struct sock *sk;
	unsigned int len;
	unsigned int data_len;
	__u32 mark;
	int skb_iif;
	__be16 protocol;
	__u16 transport_header;
	__u16 network_header;
	__u16 mac_header;
	unsigned int tail; /* sk_buff_data_t: an offset from head on 64-bit kernels */
	unsigned char *head;
	unsigned char *data;
	unsigned long _nfct; /* the conntrack entry | enum ip_conntrack_info (low 3 bits) */
};

/* Conntrack (CONFIG_NF_CONNTRACK; in the nf_conntrack module's BTF on modular kernels): the
 * tuple the connection had in each direction before any translation. */
union nf_inet_addr {
	__u32 all[4];
};

union nf_conntrack_man_proto {
	__be16 all;
};

struct nf_conntrack_man {
	union nf_inet_addr u3;
	union nf_conntrack_man_proto u;
	__u16 l3num;
};

struct nf_conntrack_tuple {
	struct nf_conntrack_man src;
	struct {
		union nf_inet_addr u3;
		union {
			__be16 all;
		} u;
		__u8 protonum;
		__u8 dir;
	} dst;
};

struct nf_conntrack_tuple_hash {
	struct nf_conntrack_tuple tuple;
};

/* CONFIG_NF_CONNTRACK_ZONES */
struct nf_conntrack_zone {
	__u16 id;
};

struct nf_conn {
	struct nf_conntrack_zone zone; /* CONFIG_NF_CONNTRACK_ZONES: bpf_core_field_exists first */
	struct nf_conntrack_tuple_hash tuplehash[2];
	unsigned long status;
	__u32 mark;		       /* CONFIG_NF_CONNTRACK_MARK: bpf_core_field_exists first */
};

/* XDP (the fexit probe on an XDP program): the kernel's view of the program's context. */
struct xdp_rxq_info {
	struct net_device *dev;
};

struct xdp_buff {
	void *data;
	void *data_end;
	struct xdp_rxq_info *rxq;
};

#pragma clang attribute pop

/* Declared so bpf_core_type_exists() can ask whether the running kernel has drop reasons
 * (5.17+, where kfree_skb's tracepoint gained its `reason` argument), and bpf_core_enum_value()
 * what NETFILTER_DROP is on it (the numbers move between kernels; those here are not used). */
enum skb_drop_reason {
	SKB_DROP_REASON_NOT_SPECIFIED = 2,
	SKB_DROP_REASON_NETFILTER_DROP = 8,
};

#endif /* __TRACEPACKETS_KERNEL_TYPES_H */
