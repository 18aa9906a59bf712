// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * TracePackets' kernel side, pwru's design: probes on the life of a struct sk_buff — the skb and
 * net tracepoints (tp_btf, on every kernel with BTF) and, where the kernel allows them, every
 * kernel function taking an skb (kprobe, kprobe.multi or fentry, one program per argument
 * position). Every probe filters by the skb's network namespace, then writes one struct tp_event
 * to a ring buffer; drops carry a kernel stack only where it is worth its cost (wants_stack).
 * The flush marker is a raw tracepoint program run on demand. Helpers and kfree_skb's reason
 * argument that older kernels lack are asked for at load time (CO-RE), never by kernel version.
 */
#include "kernel_types.h"
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "tracepackets.h"
#include "skb_events.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#ifdef TP_IRQ_GUARD
/* The socket_receive hook, built in where the probes are the guarded ones (6.14+; include/socket_receive.bpf.h). */
#include "socket_receive.bpf.h"
#endif

/* Which drops carry a stack (struct tp_options); the tracer writes it before attaching. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tp_options);
} options SEC(".maps");

/*
 * Whether this drop's kernel stack is worth its price: bpf_get_stackid unwinds the stack (ORC)
 * for several microseconds, ten times what the rest of the event costs. The location names the
 * function that freed the skb, which says where the drop happened, except for netfilter: with
 * nf_tables the location is nft_do_chain and the hook that ran it, nf_hook_slow, is only in the
 * stack (`wereDropped().in("nf_hook_slow")` looks there). So by default only netfilter drops,
 * and every drop on kernels without drop reasons (before 5.17) where netfilter's cannot be told
 * apart; every drop when the tracer was asked for stacks (TP_STACKS_ALL).
 */
static __always_inline bool wants_stack(__u32 reason)
{
	__u32 zero = 0;
	struct tp_options *opts = bpf_map_lookup_elem(&options, &zero);

	if (opts && opts->stacks == TP_STACKS_ALL)
		return true;
	if (!bpf_core_type_exists(enum skb_drop_reason)
	    || !bpf_core_enum_value_exists(enum skb_drop_reason, SKB_DROP_REASON_NETFILTER_DROP))
		return true;
	return reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NETFILTER_DROP);
}

static __always_inline void trace_drop(void *ctx, struct sk_buff *skb, struct net_device *dev, __u32 inum,
				       __u32 reason, void *location)
{
	struct tp_event *e;

	count_event(inum, TP_PROBE_KFREE_SKB, reason, (__u64)location);
	e = emit_dev(skb, dev, inum, TP_PROBE_KFREE_SKB, false, true, true);
	if (!e)
		return;
	e->location = (__u64)location;
	e->drop_reason = reason;
	if (wants_stack(e->drop_reason))
		e->stack_id = bpf_get_stackid(ctx, &stacks, 0);
	commit(e);
}

/*
 * Every tracepoint program below is two parts: the first half of the scope check inline
 * (scope_maybe), and all the rest in a function of its own, called last. Out of scope, which is
 * most of a machine's traffic, a run is that half alone, in a frame of its own: it calls nothing
 * before its last call, so it keeps nothing in the registers the JIT saves, and uses no stack.
 * With the work inline, every run paid for the work's frame and for saving four registers (docs/
 * benchmarks.md, the probe cost's bounds). Each program has a copy of its own, so the probe and
 * its flags stay constants there. The skb is read through an untrusted pointer from there on (see
 * UNTRUSTED), not before: the check's load of skb->dev through the trusted argument is a plain
 * load, where an untrusted one is checked against user addresses on every run (about 1 ns a run
 * out of scope, docs/benchmarks.md). The trusted load costs the verifier a search of vmlinux BTF
 * (about 0.9 ms a program), once per JVM.
 */
static __noinline int kfree_skb_scoped(__u64 *ctx, struct sk_buff *skb, struct net_device *dev, __u32 inum)
{
	void *location = (void *)ctx[1];
	unsigned long irqs;
	__u32 reason = 0;

	skb = UNTRUSTED(struct sk_buff, skb);
	dev = UNTRUSTED(struct net_device, dev);
	inum = scope_rest(skb, dev, inum, true, true);
	if (!inum)
		return 0;
	/* The reason argument exists since 5.17, together with the enum. */
	if (bpf_core_type_exists(enum skb_drop_reason))
		reason = (__u32)ctx[2];
	/* Guarded (irqs_off): a netfilter drop's stack is the longest run of all. */
	irqs_off(true, &irqs);
	if (filtered_in(skb, true))
		trace_drop(ctx, skb, dev, inum, reason, location);
	irqs_on(true, &irqs);
	return 0;
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(kfree_skb, struct sk_buff *skb)
{
	struct net_device *dev;
	__u32 inum;

	if (!scope_maybe(skb, &dev, &inum, true))
		return 0;
	return kfree_skb_scoped(ctx, skb, dev, inum);
}

/* A tracepoint whose only argument is the skb: the rest out of line, as for kfree_skb. */
#define SKB_TRACEPOINT(tracepoint, probe, from_data)                                                        \
	static __noinline int tracepoint##_scoped(struct sk_buff *skb, struct net_device *dev, __u32 inum)     \
	{                                                                                                   \
		skb = UNTRUSTED(struct sk_buff, skb);                                                       \
		dev = UNTRUSTED(struct net_device, dev);                                                    \
		inum = scope_rest(skb, dev, inum, true, true);                                              \
		return inum ? trace_skb_in_scope(skb, dev, inum, probe, from_data, true, true, true) : 0;   \
	}                                                                                                   \
	SEC("tp_btf/" #tracepoint)                                                                          \
	int BPF_PROG(tracepoint, struct sk_buff *skb)                                                       \
	{                                                                                                   \
		struct net_device *dev;                                                                     \
		__u32 inum;                                                                                 \
                                                                                                            \
		if (!scope_maybe(skb, &dev, &inum, true))                                                   \
			return 0;                                                                           \
		return tracepoint##_scoped(skb, dev, inum);                                                 \
	}

SKB_TRACEPOINT(consume_skb, TP_PROBE_CONSUME_SKB, false)
SKB_TRACEPOINT(netif_receive_skb, TP_PROBE_NETIF_RECEIVE_SKB, true)
SKB_TRACEPOINT(netif_rx, TP_PROBE_NETIF_RX, true)
SKB_TRACEPOINT(net_dev_queue, TP_PROBE_NET_DEV_QUEUE, false)
SKB_TRACEPOINT(net_dev_start_xmit, TP_PROBE_NET_DEV_START_XMIT, false)
SKB_TRACEPOINT(skb_copy_datagram_iovec, TP_PROBE_SKB_COPY_DATAGRAM, false)

/*
 * Kernel-function probes (pwru's heart): one program per position of the skb argument, in the
 * three flavours a kernel may offer. None is autoloaded; the tracer loads the chosen backend's:
 * kprobe programs attach once per function, kprobe.multi ones once per position for many
 * functions, fentry ones are loaded once as a template and cloned per function.
 */
static __always_inline void trace_function_event(struct sk_buff *skb, __u32 inum, __u64 ip)
{
	struct tp_event *e;

	count_event(inum, TP_PROBE_FUNCTION, 0, ip);
	e = emit(skb, inum, TP_PROBE_FUNCTION, false, true, false);
	if (!e)
		return;
	e->location = ip;
	commit(e);
}

/* `guard`: fentry's (irqs_off); a kprobe runs with preemption off and may not call the kfuncs. */
static __always_inline int trace_function(struct sk_buff *skb, __u64 ip, bool guard)
{
	/* Not `btf`: a kprobe's argument is a bare number (fentry's is typed, but one template is
	 * verified and cloned for every function; reading it plainly is for a later change). */
	__u32 inum = scoped(skb, true, false);
	unsigned long irqs;

	if (!inum)
		return 0;
	irqs_off(guard, &irqs);
	if (filtered_in(skb, false))
		trace_function_event(skb, inum, ip);
	irqs_on(guard, &irqs);
	return 0;
}

/*
 * The probed function's address, which the reader turns into its name. bpf_get_func_ip (5.15)
 * where the kernel has it. Before, a kprobe's registers say it: a kprobe at a function's entry
 * runs its handler with ip one byte past the probed address, as after the int3 it plants (an
 * ftrace-based kprobe sets ip the same way, to look alike). kprobe-multi (5.18+) always has the
 * helper. (On kernels with IBT the probe sits 4 bytes in, which the helper accounts for; those
 * are newer than the helper.)
 */
static __always_inline __u64 kprobe_function_ip(struct pt_regs *ctx)
{
	if (HAS_HELPER(get_func_ip))
		return bpf_get_func_ip(ctx);
	return PT_REGS_IP(ctx) - 1;
}

/*
 * fentry before 5.15 has no way to ask which function it was attached to: one template is
 * cloned for every function, so each clone carries its function's address as a constant. This
 * 64-bit immediate is the placeholder the tracer overwrites in each clone's instructions before
 * loading it (FentryBackend); on kernels with the helper the verifier drops it as dead code.
 */
#define FENTRY_IP_PLACEHOLDER 0x7470666e69707068ULL /* "hppinfpt": no kernel address looks like it */
#define STRINGIFY(x) #x
#define XSTRINGIFY(x) STRINGIFY(x)

static __always_inline __u64 fentry_function_ip(void *ctx)
{
	__u64 ip;

	if (HAS_HELPER(get_func_ip))
		return bpf_get_func_ip(ctx);
	asm volatile("%[ip] = " XSTRINGIFY(FENTRY_IP_PLACEHOLDER) " ll" : [ip] "=r"(ip));
	return ip;
}

#define FUNCTION_PROBES(n)                                                                  \
	SEC("kprobe")                                                                       \
	int kprobe_skb_##n(struct pt_regs *ctx)                                             \
	{                                                                                   \
		return trace_function((struct sk_buff *)PT_REGS_PARM##n(ctx), kprobe_function_ip(ctx), false); \
	}                                                                                   \
	SEC("kprobe.multi")                                                                 \
	int kprobe_multi_skb_##n(struct pt_regs *ctx)                                       \
	{                                                                                   \
		return trace_function((struct sk_buff *)PT_REGS_PARM##n(ctx), kprobe_function_ip(ctx), false); \
	}                                                                                   \
	SEC("fentry")                                                                       \
	int BPF_PROG(fentry_skb_##n)                                                        \
	{                                                                                   \
		return trace_function((struct sk_buff *)ctx[n - 1], fentry_function_ip(ctx), true); \
	}

FUNCTION_PROBES(1)
FUNCTION_PROBES(2)
FUNCTION_PROBES(3)
FUNCTION_PROBES(4)
FUNCTION_PROBES(5)

/*
 * Clones and copies (function backends only: the tracepoints cannot see a copy being made). When
 * the kernel hands a packet on in a new skb — skb_clone for a packet socket or a second receiver,
 * skb_copy / pskb_copy / skb_copy_expand for a writable copy — the new skb joins the parent's
 * journey, and an event named after the copying function marks where it split off. fexit for
 * fentry's kernels; for kprobes an entry probe keeps the parent (and the function's address, which
 * a kretprobe cannot ask for on every kernel) per task until the return probe sees the result.
 */
static __always_inline void join_copy(struct sk_buff *parent, struct sk_buff *copy, __u32 inum, __u64 ip)
{
	__u64 copy_key = (__u64)copy, parent_address;
	struct tp_journey joined;
	struct tp_event *e;

	/* A kprobe's skb is a number already; fexit's is typed: read its address from the stack. */
	bpf_probe_read_kernel(&parent_address, sizeof(parent_address), &parent);
	joined.id = journey_of(parent_address, (__u64)BPF_CORE_READ(parent, head), false);
	joined.head = (__u64)BPF_CORE_READ(copy, head);
	bpf_map_update_elem(&journey_of_copy, &copy_key, &joined, BPF_ANY);
	count_event(inum, TP_PROBE_FUNCTION, 0, ip);
	e = emit(copy, inum, TP_PROBE_FUNCTION, false, true, false);
	if (!e)
		return;
	e->location = ip;
	commit(e);
}

/* `guard`: fexit's (irqs_off); false for a kretprobe. */
static __always_inline int follow_copy(struct sk_buff *parent, struct sk_buff *copy, __u64 ip, bool guard)
{
	unsigned long irqs;
	__u32 inum;

	if (!parent || !copy)
		return 0;
	/* Only copies of packets in scope: TCP clones every segment it sends, system-wide. */
	inum = scoped(parent, true, false);
	if (!inum)
		return 0;
	irqs_off(guard, &irqs);
	if (filtered_in(parent, false))
		join_copy(parent, copy, inum, ip);
	irqs_on(guard, &irqs);
	return 0;
}

struct tp_copy_call {
	__u64 parent;
	__u64 ip;
};

/* The parent of a copy in progress, per task (a copy function does not sleep into another one). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct tp_copy_call);
} copy_calls SEC(".maps");

static __always_inline int copy_entry(void *ctx, struct sk_buff *parent)
{
	__u64 task = bpf_get_current_pid_tgid();
	struct tp_copy_call call = {.parent = (__u64)parent, .ip = kprobe_function_ip(ctx)};

	/* Only parents in scope: the scope check is all an untraced copy costs. */
	if (!wanted(parent, true, false))
		return 0;
	bpf_map_update_elem(&copy_calls, &task, &call, BPF_ANY);
	return 0;
}

static __always_inline int copy_return(struct sk_buff *copy)
{
	__u64 task = bpf_get_current_pid_tgid();
	struct tp_copy_call *call = bpf_map_lookup_elem(&copy_calls, &task);
	struct tp_copy_call found;

	if (!call)
		return 0;
	found = *call;
	bpf_map_delete_elem(&copy_calls, &task);
	return follow_copy((struct sk_buff *)found.parent, copy, found.ip, false);
}

/*
 * The copy functions' addresses for fexit before bpf_get_func_ip (5.15): set by the tracer before
 * load from /proc/kallsyms, in the order of COPY_INDEX_* (ProbeObject.COPY_FUNCTIONS). Each fexit
 * program has one function, known here; its own section, so the tracer sets it as a whole.
 */
const volatile __u64 tp_copy_ip[4] SEC(".rodata.copies") = {};

#define COPY_INDEX_skb_clone 0
#define COPY_INDEX_skb_copy 1
#define COPY_INDEX___pskb_copy_fclone 2
#define COPY_INDEX_skb_copy_expand 3

#define COPY_PROBES(function)                                                                   \
	SEC("fexit/" #function)                                                                 \
	int BPF_PROG(fexit_##function)                                                          \
	{                                                                                       \
		return follow_copy((struct sk_buff *)ctx[0], (struct sk_buff *)ctx[COPY_RET_##function], \
				   HAS_HELPER(get_func_ip) ? bpf_get_func_ip(ctx)                      \
							   : tp_copy_ip[COPY_INDEX_##function], true); \
	}                                                                                       \
	SEC("kprobe/" #function)                                                                \
	int kprobe_copy_##function(struct pt_regs *ctx)                                         \
	{                                                                                       \
		return copy_entry(ctx, (struct sk_buff *)PT_REGS_PARM1(ctx));                      \
	}                                                                                       \
	SEC("kretprobe/" #function)                                                             \
	int kretprobe_copy_##function(struct pt_regs *ctx)                                      \
	{                                                                                       \
		return copy_return((struct sk_buff *)PT_REGS_RC(ctx));                              \
	}

/* Where fexit finds the return value: after the function's arguments. */
#define COPY_RET_skb_clone 2		/* (skb, gfp) */
#define COPY_RET_skb_copy 2		/* (skb, gfp) */
#define COPY_RET___pskb_copy_fclone 4	/* (skb, headroom, gfp, fclone): pskb_copy's body */
#define COPY_RET_skb_copy_expand 4	/* (skb, newheadroom, newtailroom, gfp) */

COPY_PROBES(skb_clone)
COPY_PROBES(skb_copy)
COPY_PROBES(__pskb_copy_fclone)
COPY_PROBES(skb_copy_expand)

/*
 * Return values (function backends only): for a bounded set of functions whose int return is a
 * decision about the packet — ip_route_input_noref (0, or an error: -EHOSTUNREACH, -EINVAL...;
 * since 6.13 an enum skb_drop_reason), nf_hook_slow (1 accept, -EPERM dropped, 0 stolen or
 * queued), sk_filter_trim_cap (0, or -EPERM when a socket filter dropped it) — an entry program
 * keeps a snapshot of the event the skb makes at the function's entry (only for an skb in scope),
 * and the return program writes it as a TP_PROBE_FUNCTION_RETURN event with the return value in
 * `drop_reason`, so the event does not grow. A snapshot, not a read at the return, because
 * nf_hook_slow frees the skb it drops before it returns -EPERM. Pairs on every backend: fentry and
 * fexit (the fexit program has the arguments too, but not the skb as it was), kprobe and kretprobe
 * (which has no arguments at all). The list is ProbeObject.RETURN_FUNCTIONS, in RETURN_INDEX_ order.
 */
struct tp_return_key {
	__u64 call;	/* fentry/fexit: the skb's address; kprobe/kretprobe: the task's pid_tgid */
	__u32 index;	/* RETURN_INDEX_*: which function */
	__u32 cpu;	/* with pid_tgid 0 (a CPU's idle task, whose softirqs run packets), the CPU */
};

/* The snapshot of each call in progress. A kretprobe the kernel missed (too many at once) leaves
 * its entry behind, which the task's next call to that function replaces. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct tp_return_key);
	__type(value, struct tp_event);
} return_calls SEC(".maps");

/* `guard` here and in return_exit: fentry's and fexit's (irqs_off); false for kprobes. */
static __always_inline int return_entry(struct sk_buff *skb, struct tp_return_key *key, __u64 ip, bool guard)
{
	__u32 inum = scoped(skb, true, false);
	unsigned long irqs;
	struct tp_event call;

	/* Out of scope: the scope check is all the call costs, and its return finds nothing. */
	if (!inum)
		return 0;
	irqs_off(guard, &irqs);
	if (filtered_in(skb, false)) {
		fill_snapshot(&call, skb, inum, TP_PROBE_FUNCTION_RETURN);
		call.location = ip;
		bpf_map_update_elem(&return_calls, key, &call, BPF_ANY);
	}
	irqs_on(guard, &irqs);
	return 0;
}

static __always_inline void write_return(struct tp_event *call, struct tp_return_key *key, __s64 value)
{
	struct tp_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (e) {
		__builtin_memcpy(e, call, sizeof(*e));
		e->ts_ns = bpf_ktime_get_ns();
		e->drop_reason = (__u32)value;
	} else {
		count(TP_COUNTER_LOST);
	}
	bpf_map_delete_elem(&return_calls, key);
	if (e)
		submit(e);
}

static __always_inline int return_exit(struct tp_return_key *key, __s64 value, bool guard)
{
	struct tp_event *call = bpf_map_lookup_elem(&return_calls, key);
	unsigned long irqs;

	if (!call)
		return 0;
	irqs_off(guard, &irqs);
	write_return(call, key, value);
	irqs_on(guard, &irqs);
	return 0;
}

static __always_inline struct tp_return_key task_call(__u32 index)
{
	__u64 task = bpf_get_current_pid_tgid();
	struct tp_return_key key = {.call = task, .index = index,
				    .cpu = (__u32)task ? 0 : bpf_get_smp_processor_id()};
	return key;
}

/* The functions' addresses for fentry before bpf_get_func_ip (5.15), as tp_copy_ip. */
const volatile __u64 tp_return_ip[3] SEC(".rodata.returns") = {};

#define RETURN_INDEX_ip_route_input_noref 0
#define RETURN_INDEX_nf_hook_slow 1
#define RETURN_INDEX_sk_filter_trim_cap 2

/* Where the skb is among the arguments. */
#define RETURN_SKB_ip_route_input_noref 1 /* (skb, daddr, saddr, tos, dev) */
#define RETURN_SKB_nf_hook_slow 1	  /* (skb, state, e, s) */
#define RETURN_SKB_sk_filter_trim_cap 2	  /* (sk, skb, cap), (sk, skb, cap, reason) since 6.17 */

/* Where fexit finds the return value before bpf_get_func_ret (5.17): after the arguments, as
 * those kernels declare them. */
#define RETURN_ARGS_ip_route_input_noref 5
#define RETURN_ARGS_nf_hook_slow 4
#define RETURN_ARGS_sk_filter_trim_cap 3

/* A kprobe's argument `n`, where n is a macro: expanded before it is pasted. */
#define KPROBE_ARG(ctx, n) KPROBE_ARG_(ctx, n)
#define KPROBE_ARG_(ctx, n) PT_REGS_PARM##n(ctx)

/* What the function returned, on kernels with bpf_get_func_ret (5.17+). */
static __always_inline __s64 fexit_func_ret(void *ctx)
{
	__u64 value = 0;

	bpf_get_func_ret(ctx, &value);
	return (__s32)value; /* every function of the list returns an int (or a 32-bit enum) */
}

/* The return value in a fexit program: the helper, else the slot after the arguments, read at a
 * constant offset (the verifier refuses a load through a ctx pointer it sees moved). */
#define FEXIT_RETURN_VALUE(function)                                                             \
	(HAS_HELPER(get_func_ret) ? fexit_func_ret(ctx) : (__s64)(__s32)ctx[RETURN_ARGS_##function])

/* The skb argument of a fentry/fexit program, and the key of its call: the skb, which fexit
 * still reads (the arguments stay in ctx), and the function, so entry and exit meet. */
#define RETURN_SKB(function) ((struct sk_buff *)ctx[RETURN_SKB_##function - 1])
#define SKB_CALL(function)                                                                      \
	((struct tp_return_key){.call = skb_address(RETURN_SKB(function)), .index = RETURN_INDEX_##function})

#define RETURN_PROBES(function)                                                                 \
	SEC("fentry/" #function)                                                                \
	int BPF_PROG(fentry_return_##function)                                                  \
	{                                                                                       \
		struct tp_return_key key = SKB_CALL(function);                                      \
		return return_entry(RETURN_SKB(function), &key,                                     \
				    HAS_HELPER(get_func_ip) ? bpf_get_func_ip(ctx)                  \
							    : tp_return_ip[RETURN_INDEX_##function], true); \
	}                                                                                       \
	SEC("fexit/" #function)                                                                 \
	int BPF_PROG(fexit_return_##function)                                                   \
	{                                                                                       \
		struct tp_return_key key = SKB_CALL(function);                                      \
		return return_exit(&key, FEXIT_RETURN_VALUE(function), true);                      \
	}                                                                                       \
	SEC("kprobe/" #function)                                                                \
	int kprobe_return_##function(struct pt_regs *ctx)                                       \
	{                                                                                       \
		struct tp_return_key key = task_call(RETURN_INDEX_##function);                     \
		return return_entry((struct sk_buff *)KPROBE_ARG(ctx, RETURN_SKB_##function), &key, \
				    kprobe_function_ip(ctx), false);                                \
	}                                                                                       \
	SEC("kretprobe/" #function)                                                             \
	int kretprobe_return_##function(struct pt_regs *ctx)                                    \
	{                                                                                       \
		struct tp_return_key key = task_call(RETURN_INDEX_##function);                     \
		return return_exit(&key, (__s32)PT_REGS_RC(ctx), false);                           \
	}

RETURN_PROBES(ip_route_input_noref)
RETURN_PROBES(nf_hook_slow)
RETURN_PROBES(sk_filter_trim_cap)

/*
 * Flush marker, run on demand through BPF_PROG_TEST_RUN. The ring buffer hands records out in
 * reservation order, so once the reader has seen marker N, every event reserved before the
 * marker's reservation has been consumed: negative assertions wait for it.
 * A raw tracepoint program attached to nothing: BPF_PROG_TEST_RUN runs those since 5.10 with the
 * context it is given (here the sequence, args[0]), where SEC("syscall") programs need 5.14.
 */
SEC("raw_tp")
int emit_marker(struct bpf_raw_tracepoint_args *ctx)
{
	struct tp_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		count(TP_COUNTER_LOST);
		return 1;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->skb = ctx->args[0];
	e->probe = TP_PROBE_MARKER;
	e->stack_id = -1;
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	return 0;
}
