// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* An XDP program for the sample tests: sends UDP to port 9100 (IPv4) back out of the device it came
 * in on (XDP_TX), passes everything else. On a veth it bounces the datagram to the peer as an XDP
 * frame, not an skb: an XDP program on the peer then runs on a packet that has no skb at all, as on
 * a NIC's driver hook. */
#include "xdp_udp.h"

#define BOUNCED_PORT 9100

SEC("xdp")
int xdp_tx_9100(struct xdp_md *ctx)
{
	return udp_dest_port(ctx) == BOUNCED_PORT ? XDP_TX : XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
