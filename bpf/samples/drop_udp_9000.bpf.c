// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* A tc classifier for the sample tests: drops UDP to port 9000 (IPv4), passes everything else.
 * Attached with `tc filter add dev X ingress bpf da obj drop_udp_9000.bpf.o sec tc`, it is what a
 * CNI's datapath program looks like to the kernel: a TC_ACT_SHOT makes the kernel free the skb
 * with the TC_INGRESS (or TC_EGRESS) drop reason. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define DROPPED_PORT 9000

SEC("tc")
int drop_udp_9000(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP || ip->ihl < 5)
		return TC_ACT_OK;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > data_end)
		return TC_ACT_OK;
	return udp->dest == bpf_htons(DROPPED_PORT) ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
