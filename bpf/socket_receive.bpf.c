// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The socket_receive hook on its own (include/socket_receive.bpf.h), for kernels whose probes are
 * the plain ones (before 6.14): a separate object, so that kernels without bpf_cast_to_kern_ctx
 * (before 6.2) still load the probes; its maps are the probes' (reused fds).
 */
#include "kernel_types.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "tracepackets.h"
#include "skb_events.bpf.h"
#include "socket_receive.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";
