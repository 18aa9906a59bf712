// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* An XDP program for the sample tests: sends UDP to port 9100 (IPv4) back out of the device it came
 * in on (XDP_TX), passes everything else. On a veth it bounces the datagram to the peer as an XDP
 * frame, not an skb: an XDP program on the peer then runs on a packet that has no skb at all, as on
 * a NIC's driver hook. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define BOUNCED_PORT 9100

SEC("xdp")
int xdp_tx_9100(struct xdp_md *ctx)
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
	return udp->dest == bpf_htons(BOUNCED_PORT) ? XDP_TX : XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
