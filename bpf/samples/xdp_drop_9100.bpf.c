// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* An XDP program for the sample tests: drops UDP to port 9100 (IPv4), passes everything else.
 * Attached with `ip link set dev X xdpgeneric obj xdp_drop_9100.bpf.o sec xdp` (or `xdp` for the
 * driver's native hook, which veth has), it is what a load balancer's or a CNI's XDP datapath looks
 * like to the kernel: its XDP_DROP ends the packet before the network stack sees it. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define DROPPED_PORT 9100

SEC("xdp")
int xdp_drop_9100(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP || ip->ihl < 5)
		return XDP_PASS;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	return udp->dest == bpf_htons(DROPPED_PORT) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
