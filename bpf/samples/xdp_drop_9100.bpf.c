// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* An XDP program for the sample tests: drops UDP to port 9100 (IPv4), passes everything else.
 * Attached with `ip link set dev X xdpgeneric obj xdp_drop_9100.bpf.o sec xdp` (or `xdp` for the
 * driver's native hook, which veth has), it is what a load balancer's or a CNI's XDP datapath looks
 * like to the kernel: its XDP_DROP ends the packet before the network stack sees it. */
#include "xdp_udp.h"

#define DROPPED_PORT 9100

SEC("xdp")
int xdp_drop_9100(struct xdp_md *ctx)
{
	return udp_dest_port(ctx) == DROPPED_PORT ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
