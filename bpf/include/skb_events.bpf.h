/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What every TracePackets program shares: the maps (config, netns filter, ring buffer, counters,
 * exact counts, stacks) and filter-then-count-then-emit. Included by each .bpf.c; the tracer makes later objects reuse the
 * first one's maps (bpf_map__reuse_fd), so all programs feed one ring buffer.
 * `in_task`: false for programs that run without a task to ask (cgroup_skb), whose verifier
 * refuses the current-task helpers; the calls are compiled out there. `btf`: see READ below.
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
#define ETH_HLEN 14


/*
 * Set by the tracer (NamespaceFilter) while the probes run. Global data in a section of its own:
 * libbpf makes it a one-element array that every object of a session shares like the maps below,
 * and a program reads it at an address fixed at load. An array's lookup put its key on the stack
 * and bounded the index: a third of what a probe ran for a packet out of scope.
 */
struct tp_config config SEC(".data.config") = {};

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

/*
 * Set by the tracer before load (struct tp_load_options): .rodata values the verifier knows, so
 * the branches they turn off are removed as dead code and cost nothing. Their own section, so the
 * tracer sets them as a map holding just them.
 */
const volatile struct tp_load_options tp_load SEC(".rodata.snap") = {};

/*
 * Bytes of packet data each event carries. 0, the default, captures nothing: the probes then cost
 * exactly what they cost without capture.
 */
#define tp_snap_len (tp_load.snap_len)

/*
 * Which of an event's fields the probes fill (enum tp_fields): all, except in the probe-cost
 * benchmark's own build of them (bpf/Makefile, TP_BENCH_FIELDS), where tp_load says which.
 */
#ifdef TP_BENCH_FIELDS
#define tp_fields (tp_load.fields)
#else
#define tp_fields TP_FIELDS_ALL
#endif

/*
 * TP_FIELDS_STAGED (the benchmark's build only): how far batching could take the in-scope cost.
 * Each event is filled in full, as always, but into this CPU's stage instead of a ring buffer
 * record of its own; every TP_STAGE_EVENTS-th event writes the stage to the ring buffer as one
 * record (bpf_ringbuf_output). A bound, not a design: a partial stage is never written (a flush
 * would have to drain every CPU's), the reader takes each batch for its first event, and a record
 * that needs a trailer is not made. The guarded build only, so no probe nests into a stage.
 */
#define TP_STAGE_EVENTS 8
#define TP_STAGE_STRIDE 128 /* an event and the ring buffer's header: two cache lines */

#ifdef TP_BENCH_FIELDS
struct tp_stage {
	__u8 events[TP_STAGE_EVENTS * TP_STAGE_STRIDE];
	__u32 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tp_stage);
} stage SEC(".maps");
#endif

/*
 * A kernel pointer the verifier is to treat as untrusted: reads through it are the same
 * exception-handled loads, but loading a struct pointer through a trusted one (a tp_btf argument,
 * the current task) makes the verifier search vmlinux BTF by name for the types that may stay
 * trusted, once per path to the load: a third of a tracepoint program's verification. The
 * probes never hand such a pointer to anything that wants it trusted. bpf_rdonly_cast (6.2+)
 * becomes a register move; the guarded build loads on 6.14+ only, the plain one reads as before.
 */
#ifdef TP_IRQ_GUARD
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#define UNTRUSTED(type, p) ((type *)bpf_rdonly_cast((p), bpf_core_type_id_kernel(type)))
#else
#define UNTRUSTED(type, p) (p)
#endif

/*
 * Exact counts, kept in the kernel whatever the ring buffer does (count_event): events per
 * namespace and probe, drops per reason and location. Per-CPU, so a flood on many CPUs does not
 * bounce one cache line between them; the reader sums the CPUs. Entries are made on first use and
 * deleted by the tracer once no trace scopes their namespace; a namespace-wide trace (every
 * namespace) makes one per namespace that sends, which TP_COUNTS_MAX leaves room for. A full map
 * counts what it could not keep in TP_COUNTER_UNCOUNTED, so a count is never silently short.
 */
#define TP_COUNTS_MAX 16384

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, TP_COUNTS_MAX);
	__type(key, struct tp_count_key);
	__type(value, __u64);
} counts SEC(".maps");

/*
 * Hook counts of the namespaces the config lists itself (count_hook): a tracepoint's or hook's
 * events per namespace, one row of TP_HOOK_COUNTS counters (indexed by enum tp_probe) per place
 * in tp_config.netns[], per CPU. An array lookup with a computed index, where the `counts` hash
 * hashed a 24-byte key for every event: in the probe benchmark the hash cost ~95 ns per event,
 * a fifth of a flood's packets/s. The tracer keeps each scoped namespace in the same place while
 * it scopes it and zeroes a row before giving it to another (NamespaceFilter); drops (a reason
 * and a location), functions and namespaces beyond the inline ones stay in the hash.
 */
#define TP_HOOK_COUNTS 16

struct tp_hook_row {
	__u64 count[TP_HOOK_COUNTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TP_INLINE_NETNS);
	__type(key, __u32);
	__type(value, struct tp_hook_row);
} hook_counts SEC(".maps");

/* Kernel stacks of drops: "dropped in nf_hook_slow" also holds when nf_hook_slow is a caller. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 4096);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 32 * sizeof(__u64));
} stacks SEC(".maps");

/*
 * Journeys: which packet an skb carries, across what changes on the way (the tuple under NAT, the
 * namespace and device at a veth). The kernel keeps one struct sk_buff for all of it, so the
 * journey id is derived from the skb itself: a 64-bit mix of its address and its data buffer
 * (skb->head), both fixed while the skb lives. No map write on the way: a first-seen id kept in a
 * map keyed by the skb (retis' way) cost an LRU insert per packet, ~450 ns on net_dev_queue in
 * the probe benchmark (docs/benchmarks.md), where this costs one lookup, below.
 *
 * Address reuse: a new skb that gets another buffer gets another id. One that gets both the same
 * address and the same buffer (straight back from the allocator's per-CPU caches) gets the same
 * id; the reader tells them apart: a journey ends at its free (kfree_skb, consume_skb), so an id
 * seen again on that address after its free is a new packet, and, where the free left no event
 * (a TCP segment read by its application, GRO merging two segments), a tuple change that
 * conntrack does not explain or a second entry into the same device is too. The price of the
 * head: where the kernel reallocates a live skb's head (pskb_expand_head, for headers that do not
 * fit), the journey breaks in two.
 *
 * Clones and copies (function backends) are new skbs carrying the same packet: the copy programs
 * (tracepackets.bpf.c) record the parent's id for them in `journey_of_copy`, with the copy's head
 * so that a later skb at the same address does not inherit it. Every event looks its skb up there
 * (one hash lookup, the whole per-event cost of journeys) once the tracer has attached the copy
 * programs (tp_config.follow_copies; never on the tracepoint backend, which cannot see copies);
 * a free clears the entry's head in place.
 * LRU: entries of copies freed unseen make room rather than fill the map.
 */
struct tp_journey {
	__u64 id;
	__u64 head;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct tp_journey);
} journey_of_copy SEC(".maps");

/* A 64-bit mix of the skb's address and head (splitmix64's finalizer): ids of distinct skbs
 * collide with probability ~2^-64 per pair. */
static __always_inline __u64 journey_id(__u64 skb, __u64 head)
{
	__u64 x = skb ^ (head << 1 | head >> 63);

	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x ? x : 1;
}

/*
 * Whether the running kernel has a helper, asked at load time: its enum bpf_func_id (in the
 * kernel's BTF) names every helper it knows, and libbpf relocates the check to a constant, so
 * the verifier never sees the call on a kernel that lacks it (dead code is not verified).
 * bpf_get_current_task_btf: 5.11; bpf_get_func_ip: 5.15.
 */
#define HAS_HELPER(name) bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_##name)

/* Adds one to this CPU's `counter`; its count now (0 should the array have no such row). */
static __always_inline __u64 count(__u32 counter)
{
	__u64 *value = bpf_map_lookup_elem(&counters, &counter);

	if (!value)
		return 0;
	*value += 1;
	return *value;
}

/*
 * Counts one event the probes would emit (in scope, through the pcap filter), before its ring
 * buffer reservation, so that a full ring buffer loses the event, not the count. One hash lookup
 * for a key seen before; the first of a key inserts it (BPF_NOEXIST: a CPU that loses the race to
 * insert finds the winner's entry). The add is atomic although the value is this CPU's own: an
 * interrupt's probe may count the same key between a plain read and write.
 */
static __always_inline void count_event(__u32 inum, __u32 probe, __u32 reason, __u64 where)
{
	/* The benchmark's measure of what counting costs; the tracer always counts. */
	if (tp_load.uncounted)
		return;
	struct tp_count_key key = {.netns = inum, .probe = probe, .reason = reason, .reserved = 0, .where = where};
	__u64 one = 1;
	__u64 *value = bpf_map_lookup_elem(&counts, &key);

	if (value) {
		__sync_fetch_and_add(value, 1);
		return;
	}
	if (!bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST))
		return;
	value = bpf_map_lookup_elem(&counts, &key);
	if (value)
		__sync_fetch_and_add(value, 1);
	else
		count(TP_COUNTER_UNCOUNTED);
}

/*
 * Reading the kernel's structs. `btf`: the skb is a BTF-typed pointer (a tp_btf argument, or the
 * sk_buff of bpf_cast_to_kern_ctx), so its fields are read with plain loads, which the verifier
 * turns into fault-safe loads costing a few ns; a kprobe's skb is a bare number, read one
 * bpf_probe_read_kernel per field (~40 ns each on the benchmark machine, the bulk of a probe's
 * cost before). `btf` is always a constant, so clang keeps only one branch.
 */
#define READ(btf, direct, ...) ((btf) ? (direct) : BPF_CORE_READ(__VA_ARGS__))

/*
 * The skb's netns inode: its device's, else its socket's, else — for skbs that have neither,
 * like a UDP datagram being read — the current task's. 0 for netlink messages, which are not
 * packets. While a datagram waits in a UDP socket's queue, UDP keeps its own state in the word
 * that holds skb->dev (dev_scratch, udp_set_dev_scratch) and never sets skb->sk: that word is then
 * no kernel address (those have the top bit set), and reading a device there would find nothing.
 */
static __always_inline __u32 skb_netns(struct sk_buff *skb, struct net_device *dev, bool in_task, bool btf)
{
	struct task_struct *task;
	struct sock *sk;

	if ((__s64)(unsigned long)dev < 0)
		return READ(btf, dev->nd_net.net->ns.inum, dev, nd_net.net, ns.inum);
	sk = READ(btf, skb->sk, skb, sk);
	if (sk) {
		if (READ(btf, sk->__sk_common.skc_family, sk, __sk_common.skc_family) == AF_NETLINK)
			return 0;
		return READ(btf, sk->__sk_common.skc_net.net->ns.inum, sk, __sk_common.skc_net.net, ns.inum);
	}
	if (!in_task)
		return 0;
	if (btf && HAS_HELPER(get_current_task_btf)) {
		task = UNTRUSTED(struct task_struct, bpf_get_current_task_btf());
		return task->nsproxy->net_ns->ns.inum;
	}
	task = (struct task_struct *)bpf_get_current_task();
	return BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
}

/*
 * Whether the inode's bit (inode % 32) is set in netns_bits: never under TP_MODE_OFF, always under
 * TP_MODE_ALL, and for a scoped inode under TP_MODE_NETNS. Clear for most inodes out of scope (a
 * test scopes a few; one in 32 of the others shares a bit), which then cost one load and a test:
 * out of scope, the probes' whole run is this check.
 */
static __always_inline bool netns_bit_set(const struct tp_config *cfg, __u32 inum)
{
	return cfg->netns_bits & (1U << (inum & 31));
}

/*
 * Whether a scoped inode (TP_MODE_NETNS) is this one. Up to TP_INLINE_NETNS inodes sit in the
 * config itself and are compared in registers (unused slots are 0, which no netns has); beyond
 * that the netns_filter hash holds them all. The tracer writes the hash first and the config
 * second, so a probe that reads a config being rewritten misses at most an inode that is being
 * added or keeps one that is being removed, which the window's own scope filters again.
 */
static __always_inline bool netns_listed(const struct tp_config *cfg, __u32 inum)
{
	if (cfg->netns_count > TP_INLINE_NETNS)
		return bpf_map_lookup_elem(&netns_filter, &inum) != NULL;
#pragma unroll
	for (int i = 0; i < TP_INLINE_NETNS; i++)
		if (cfg->netns[i] == inum)
			return true;
	return false;
}

/* Whether the netns inode is scoped under TP_MODE_NETNS. */
static __always_inline bool in_scope(const struct tp_config *cfg, __u32 inum)
{
	return netns_bit_set(cfg, inum) && netns_listed(cfg, inum);
}

/*
 * pcap filter (@TracePackets(filter = "...")): libpcap compiles the expression to classic BPF
 * for an Ethernet view and a raw-IP view of a packet, the tracer translates both to eBPF and
 * writes them over the placeholders below in the object's bytes before libbpf opens it (see
 * bpf/README.md), and sets tp_pcap_filter. Without a filter tp_pcap_filter stays 0, a constant
 * to the verifier, which drops the filter's call as dead code: no cost.
 */
const volatile __u32 tp_pcap_filter = 0;

/* The bytes a filter sees (CbpfToEbpf.PACKET_BYTES): a load beyond them does not match. */
#define PCAP_FILTER_BYTES 256

struct pcap_filter_packet {
	__u8 bytes[PCAP_FILTER_BYTES];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pcap_filter_packet);
} pcap_filter_packet SEC(".maps");

/*
 * int pcap_filter_lN(const __u8 *packet, __u32 caplen, __u32 wirelen): non-zero when the packet
 * matches. Placeholders: PCAP_FILTER_SLOTS no-ops (`goto +0`, which the verifier removes and the
 * JIT never emits), then "match". The tracer writes the translated filter over the whole function,
 * its tail (PcapFilterInjection). Not inlined, and its result comes from the asm, so clang neither
 * folds the constant nor drops the arguments (the asm takes them). Not `naked`: clang then writes
 * no parameter names into BTF, and the kernel refuses the object's BTF.
 */
#define PCAP_FILTER_SLOTS 1024
#define PCAP_FILTER_STRING(x) #x
#define PCAP_FILTER_PLACEHOLDER(slots, match, packet, caplen, wirelen)                                   \
	asm volatile(".rept " PCAP_FILTER_STRING(slots) "\n\tgoto +0\n\t.endr\n\t%[m] = 1\n"              \
		     : [m] "=r"(match)                                                                     \
		     : "r"(packet), "r"(caplen), "r"(wirelen)                                              \
		     : "memory")

static __noinline int pcap_filter_l2(const __u8 *packet, __u32 caplen, __u32 wirelen)
{
	int match;

	PCAP_FILTER_PLACEHOLDER(PCAP_FILTER_SLOTS, match, packet, caplen, wirelen);
	return match;
}

static __noinline int pcap_filter_l3(const __u8 *packet, __u32 caplen, __u32 wirelen)
{
	int match;

	PCAP_FILTER_PLACEHOLDER(PCAP_FILTER_SLOTS, match, packet, caplen, wirelen);
	return match;
}

/*
 * Copies up to PCAP_FILTER_BYTES of the packet from `start` (`available` bytes lie there in the
 * skb's linear data) into the per-CPU buffer with one read; returns how many it copied.
 */
static __always_inline __u32 read_filter_bytes(__u8 *buffer, const unsigned char *start, __s64 available)
{
	__u32 size;

	if (available <= 0)
		return 0;
	size = available > PCAP_FILTER_BYTES ? PCAP_FILTER_BYTES : available;
	if (bpf_probe_read_kernel(buffer, size, start))
		return 0;
	return size;
}

/*
 * Whether the packet matches the pcap filter. The view is pwru's: from the Ethernet header when
 * the skb has a MAC header (set, and not where the network header is, as on tunnels), else from
 * the network header (else skb->data) with the raw-IP program.
 */
static __always_inline bool pcap_filter_accepts(struct sk_buff *skb, bool btf)
{
	__u32 zero = 0;
	struct pcap_filter_packet *packet = bpf_map_lookup_elem(&pcap_filter_packet, &zero);
	unsigned char *head = READ(btf, skb->head, skb, head);
	unsigned char *data = READ(btf, skb->data, skb, data);
	__u16 mac_header = READ(btf, skb->mac_header, skb, mac_header);
	__u16 network_header = READ(btf, skb->network_header, skb, network_header);
	bool l2 = mac_header != (__u16)~0U && mac_header != network_header;
	unsigned char *start = l2 ? head + mac_header : network_header ? head + network_header : data;
	__s64 wirelen = (__s64)READ(btf, skb->len, skb, len) + (data - start);
	__u32 caplen;

	if (!packet)
		return false;
	caplen = read_filter_bytes(packet->bytes, start, (__s64)(head + READ(btf, skb->tail, skb, tail) - start));
	if (wirelen < 0)
		wirelen = 0;
	if (l2)
		return pcap_filter_l2(packet->bytes, caplen, wirelen) != 0;
	return pcap_filter_l3(packet->bytes, caplen, wirelen) != 0;
}

/* `inum` when the current mode scopes that namespace, else 0 (as for 0, no namespace found). */
static __always_inline __u32 scope_of(const struct tp_config *cfg, __u32 inum)
{
	if (!inum || !netns_bit_set(cfg, inum))
		return 0;
	if (cfg->mode == TP_MODE_NETNS && !netns_listed(cfg, inum))
		return 0;
	return inum;
}

/*
 * The scope check's first half, the part every packet runs: false when the packet is out of scope
 * for sure (no test is tracing, no skb, or its device's namespace has its bit clear), which for most
 * of a machine's traffic is the whole run. Else true, with `*inum` the device's namespace, or 0 when
 * the skb has no device and scope_rest asks its socket or the task. `*dev`: skb->dev as read here,
 * for the event to reuse (emit_dev): on a tp_btf skb the verifier searches vmlinux BTF by name for
 * every load of a pointer field, so a second read after the event's branches cost a search on
 * every path to it.
 */
static __always_inline bool scope_maybe(struct sk_buff *skb, struct net_device **dev, __u32 *inum, bool btf)
{
	const struct tp_config *cfg = &config;

	*inum = 0;
	if (!cfg->netns_bits || !skb)
		return false;
	*dev = READ(btf, skb->dev, skb, dev);
	/* Not a kernel address: UDP's dev_scratch, or no device (skb_netns). */
	if ((__s64)(unsigned long)*dev >= 0)
		return true;
	*inum = READ(btf, (*dev)->nd_net.net->ns.inum, *dev, nd_net.net, ns.inum);
	return *inum && netns_bit_set(cfg, *inum);
}

/*
 * The scope check's second half, for a packet scope_maybe let through: the namespace of an skb
 * without a device, and whether a namespace whose bit is set is one of those scoped. The skb's
 * netns inode when the current mode scopes it (the pcap filter is wanted()'s second half), else 0.
 */
static __always_inline __u32 scope_rest(struct sk_buff *skb, struct net_device *dev, __u32 inum, bool in_task,
					bool btf)
{
	/* A device's namespace had its bit tested already; testing it again costs an in-scope run one AND. */
	if (!inum)
		inum = skb_netns(skb, dev, in_task, btf);
	return scope_of(&config, inum);
}

/*
 * The whole check in one piece, for the probes that keep it inline (kprobes, fentry, the hooks):
 * theirs reads the skb through helper calls (BPF_CORE_READ), so their frame holds the skb in a
 * saved register and a buffer on the stack whatever the split; scope_maybe and scope_rest with
 * the device read first would only add a second copy of the bit's test to each.
 */
static __always_inline __u32 scoped_dev(struct sk_buff *skb, struct net_device **dev, bool in_task, bool btf)
{
	/* No bit set: TP_MODE_OFF, no test is tracing. */
	if (!config.netns_bits || !skb)
		return 0;
	*dev = READ(btf, skb->dev, skb, dev);
	return scope_of(&config, skb_netns(skb, *dev, in_task, btf));
}

static __always_inline __u32 scoped(struct sk_buff *skb, bool in_task, bool btf)
{
	struct net_device *dev;

	return scoped_dev(skb, &dev, in_task, btf);
}

/* Whether the packet passes the pcap filter: always, without one. */
static __always_inline bool filtered_in(struct sk_buff *skb, bool btf)
{
	return !tp_pcap_filter || pcap_filter_accepts(skb, btf);
}

/* scoped(), then the pcap filter: the netns inode of a packet the probes want, else 0. */
static __always_inline __u32 wanted(struct sk_buff *skb, bool in_task, bool btf)
{
	__u32 inum = scoped(skb, in_task, btf);

	return inum && filtered_in(skb, btf) ? inum : 0;
}

/*
 * Interrupts, and with them preemption, off while a probe works on a packet in scope, where the
 * kernel lets a program ask (bpf_local_irq_save, 6.14+): the object built with TP_IRQ_GUARD,
 * which the tracer loads on those kernels only (ProbeObject). The kernel runs a program at most
 * once per CPU at a time: an event that fires on a CPU where the same program is running is
 * skipped and only counted (recursion_misses), and a negative assertion cannot be sure while a
 * run it rests on was skipped. What fires it there is an interrupt whose softirq frees or sends a
 * packet, or, where BPF programs can be preempted (7.x's lazy preemption), another task on that
 * CPU. The longer the run, the likelier: an event in scope takes a microsecond, a drop's stack
 * several, where an out-of-scope run is a few loads, so only the work in scope is guarded and
 * other packets pay nothing for it. With interrupts off, what would have nested waits until the
 * probe is done and then finds it idle. The pcap filter runs inside the guard too: its bytes sit
 * in a per-CPU buffer that a nested probe would overwrite. kprobes pass `guard` false: they run
 * with preemption off already and may not call these kfuncs.
 */
#ifdef TP_IRQ_GUARD
extern void bpf_local_irq_save(unsigned long *flags) __ksym;
extern void bpf_local_irq_restore(unsigned long *flags) __ksym;

static __always_inline void irqs_off(bool guard, unsigned long *flags)
{
	if (guard)
		bpf_local_irq_save(flags);
}

static __always_inline void irqs_on(bool guard, unsigned long *flags)
{
	if (guard)
		bpf_local_irq_restore(flags);
}
#else
static __always_inline void irqs_off(bool guard, unsigned long *flags)
{
}

static __always_inline void irqs_on(bool guard, unsigned long *flags)
{
}
#endif

/* How many bytes of the network header fill_tuple reads in one go: an IPv4 header with up to 28
 * bytes of options or an IPv6 header, plus the 14 transport bytes it needs (ports, TCP flags). */
#define HEADER_BYTES 64
#define L4_BYTES 14

/*
 * An address into the event: 16 bytes with two 8-byte moves. Both ends are 8-aligned (the event's
 * address fields; the header buffers, aligned for it); memcpy of a __u8 array becomes 16 byte
 * stores, which the verifier walks on every path through the parsing.
 */
static __always_inline void copy_address16(__u8 *dst, const __u8 *src)
{
	((__u64 *)dst)[0] = ((const __u64 *)src)[0];
	((__u64 *)dst)[1] = ((const __u64 *)src)[1];
}

/* An IPv4 address: one 4-byte move (src 4-aligned). */
static __always_inline void copy_address4(__u8 *dst, const __u8 *src)
{
	*(__u32 *)dst = *(const __u32 *)src;
}

/* Ports (ICMP: type and code) and TCP flags from the first L4_BYTES of the transport header. */
static __always_inline void fill_ports(struct tp_event *e, __u8 l4_proto, const __u8 *l4)
{
	if (l4_proto == IPPROTO_TCP || l4_proto == IPPROTO_UDP) {
		e->sport = (__u16)l4[0] << 8 | l4[1];
		e->dport = (__u16)l4[2] << 8 | l4[3];
		if (l4_proto == IPPROTO_TCP)
			e->tcp_flags = l4[13];
	} else if (l4_proto == IPPROTO_ICMP || l4_proto == IPPROTO_ICMPV6) {
		e->sport = l4[0];
		e->dport = l4[1];
	}
}

/* The transport header at a kernel address, when it lies beyond what fill_tuple read at once. */
static __always_inline void fill_ports_at(struct tp_event *e, __u8 l4_proto, const unsigned char *l4)
{
	__u8 t[L4_BYTES] = {};

	if (l4_proto != IPPROTO_TCP && l4_proto != IPPROTO_UDP && l4_proto != IPPROTO_ICMP
	    && l4_proto != IPPROTO_ICMPV6)
		return;
	if (bpf_probe_read_kernel(t, sizeof(t), l4) && bpf_probe_read_kernel(t, 4, l4))
		return;
	fill_ports(e, l4_proto, t);
}

/*
 * Fills the L3/L4 tuple from the IP header at `l3`. Returns where the transport header starts
 * when it is the one right after the IP header (no IPv6 extension headers, not a later
 * fragment), else NULL: what the VXLAN check needs. One bpf_probe_read_kernel of HEADER_BYTES
 * covers the IP header and the transport bytes of nearly every packet (a read costs about the
 * same for 1 byte as for 64); reading past the packet's end stays inside the skb's buffer, which
 * skb_shared_info follows. Only IPv4 options longer than 28 bytes and IPv6 extension headers take
 * further reads.
 */
static __always_inline unsigned char *fill_ip(struct tp_event *e, unsigned char *l3)
{
	__u8 h[HEADER_BYTES] __attribute__((aligned(8)));
	unsigned char *l4, *found;
	bool whole = true;
	__u8 l4_proto;

	if (bpf_probe_read_kernel(h, sizeof(h), l3)) {
		/* the last bytes of a mapping: the headers alone, the transport bytes read apart */
		__builtin_memset(h, 0, sizeof(h));
		if (bpf_probe_read_kernel(h, 40, l3))
			return NULL;
		whole = false;
	}

	if (h[0] >> 4 == 4) {
		__u8 ihl = h[0] & 0x0f;

		/*
		 * Without a protocol the bytes may be no packet at all: a netlink message freed in scope
		 * starts with its little-endian length, 64 to 79 of which read as version 4. A real IPv4
		 * header holds its total length; only where skb->protocol says IPv4 can it be 0 (BIG TCP).
		 */
		if (e->protocol == 0 && (ihl < 5 || (h[2] << 8 | h[3]) < ihl * 4))
			return NULL;
		e->ip_version = 4;
		l4_proto = h[9];
		copy_address4(e->saddr, &h[12]);
		copy_address4(e->daddr, &h[16]);
		if ((h[6] << 8 | h[7]) & 0x1fff)
			return NULL; /* a later fragment has no L4 header */
		e->l4_proto = l4_proto;
		l4 = l3 + ihl * 4;
		if (ihl == 5) {
			fill_ports(e, l4_proto, &h[20]);
			return l4;
		}
		found = l4;
		goto apart;
	} else if (h[0] >> 4 == 6) {
		l4 = l3 + 40;
		e->ip_version = 6;
		l4_proto = h[6];
		copy_address16(e->saddr, &h[8]);
		copy_address16(e->daddr, &h[24]);
		if (l4_proto != IPPROTO_HOPOPTS && l4_proto != IPPROTO_ROUTING && l4_proto != IPPROTO_DSTOPTS
		    && l4_proto != IPPROTO_FRAGMENT && l4_proto != IPPROTO_AH) {
			e->l4_proto = l4_proto;
			if (whole) {
				fill_ports(e, l4_proto, &h[40]);
				return l4;
			}
			found = l4;
			goto apart;
		}
		/* Walk up to four extension headers (hop-by-hop, routing, destination options,
		 * fragment, AH) to the transport header, as MLD's hop-by-hop needs. */
#pragma unroll
		for (int i = 0; i < 4; i++) {
			__u8 ext[2];

			if (l4_proto != IPPROTO_HOPOPTS && l4_proto != IPPROTO_ROUTING && l4_proto != IPPROTO_DSTOPTS
			    && l4_proto != IPPROTO_FRAGMENT && l4_proto != IPPROTO_AH)
				break;
			if (bpf_probe_read_kernel(ext, sizeof(ext), l4))
				return NULL;
			if (l4_proto == IPPROTO_FRAGMENT) {
				__be16 frag_off;

				bpf_probe_read_kernel(&frag_off, 2, l4 + 2);
				if (bpf_ntohs(frag_off) & 0xfff8) {
					e->l4_proto = ext[0];
					return NULL; /* a later fragment has no L4 header */
				}
				l4 += 8;
			} else if (l4_proto == IPPROTO_AH) {
				l4 += (ext[1] + 2) * 4;
			} else {
				l4 += (ext[1] + 1) * 8;
			}
			l4_proto = ext[0];
		}
		e->l4_proto = l4_proto;
		found = NULL;
		goto apart;
	}
	return NULL;
apart:
	/* the transport bytes lie beyond what was read at once: one place reads them apart */
	fill_ports_at(e, l4_proto, l4);
	return found;
}

/*
 * VXLAN (RFC 7348): UDP to the IANA port, 4789, or to Linux's default, 8472 (flannel's), then an
 * 8-byte header whose flags have the I bit (a valid VNI), then the inner Ethernet frame.
 */
#define VXLAN_PORT 4789
#define VXLAN_LINUX_PORT 8472
#define VXLAN_HLEN 8
#define VXLAN_FLAG_VNI 0x08
#define UDP_HLEN 8

/* What fill_inner reads in one go: the VXLAN header, the inner Ethernet header, an inner IPv6
 * header (or an IPv4 one without options) and the transport bytes fill_ports needs. */
#define INNER_BYTES (VXLAN_HLEN + ETH_HLEN + 40 + L4_BYTES)

/*
 * An overlay's packet on the underlay (after the VXLAN device encapsulated it, before the other
 * end decapsulates it) is the pod's packet in the underlay's headers: the event gets the inner
 * tuple, so that the packet keeps one tuple, one path and one journey from pod to pod and filters
 * find it by its own addresses, and the trailer gets the outer one (the family in `tunnel`, the
 * VNI), so the rendering can show it (emit_dev adds conntrack's zone and mark; a translation of
 * the outer packet is not shown). Returns
 * whether the packet was encapsulated; only then does it read more than the UDP port: one read of
 * INNER_BYTES. The inner packet is parsed plainly (IPv4 options skipped with one more read, IPv6
 * extension headers not walked: the protocol is the first one's), not by fill_ip again: a second
 * pass through its branches cost the verifier half again the programs' load time.
 */
static __always_inline bool fill_inner(struct tp_event *e, struct tp_pre_nat *outer, unsigned char *udp)
{
	/* Read 2 bytes in, so that the inner IP header (and its addresses) is 8-aligned. */
	__u8 buffer[2 + INNER_BYTES] __attribute__((aligned(8)));
	__u8 *h = &buffer[2];
	const __u8 *ip = &h[VXLAN_HLEN + ETH_HLEN];
	__u16 inner_protocol;

	if (e->l4_proto != IPPROTO_UDP || (e->dport != VXLAN_PORT && e->dport != VXLAN_LINUX_PORT))
		return false;
	if (bpf_probe_read_kernel(h, INNER_BYTES, udp + UDP_HLEN) || !(h[0] & VXLAN_FLAG_VNI))
		return false;
	inner_protocol = (__u16)h[VXLAN_HLEN + 12] << 8 | h[VXLAN_HLEN + 13];
	if (inner_protocol != ETH_P_IP && inner_protocol != ETH_P_IPV6)
		return false;
	__builtin_memset(outer, 0, sizeof(*outer));
	__builtin_memcpy(outer->saddr, e->saddr, TP_ADDR_LEN);
	__builtin_memcpy(outer->daddr, e->daddr, TP_ADDR_LEN);
	outer->sport = e->sport;
	outer->dport = e->dport;
	outer->nat = 0;
	outer->reply = 0;
	outer->vni[0] = h[4];
	outer->vni[1] = h[5];
	outer->vni[2] = h[6];
	outer->tunnel = e->ip_version == 4 ? TP_TUNNEL_VXLAN4 : TP_TUNNEL_VXLAN6;
	__builtin_memset(e->saddr, 0, TP_ADDR_LEN);
	__builtin_memset(e->daddr, 0, TP_ADDR_LEN);
	e->ip_version = 0;
	e->l4_proto = 0;
	e->tcp_flags = 0;
	e->sport = 0;
	e->dport = 0;
	if (inner_protocol == ETH_P_IP) {
		__u8 ihl = ip[0] & 0x0f;

		e->ip_version = 4;
		e->l4_proto = ip[9];
		copy_address4(e->saddr, &ip[12]);
		copy_address4(e->daddr, &ip[16]);
		if ((ip[6] << 8 | ip[7]) & 0x1fff)
			return true; /* a later fragment has no L4 header */
		if (ihl == 5)
			fill_ports(e, e->l4_proto, &ip[20]);
		else
			fill_ports_at(e, e->l4_proto, udp + UDP_HLEN + VXLAN_HLEN + ETH_HLEN + ihl * 4);
	} else {
		e->ip_version = 6;
		e->l4_proto = ip[6];
		copy_address16(e->saddr, &ip[8]);
		copy_address16(e->daddr, &ip[24]);
		fill_ports(e, e->l4_proto, &ip[40]);
	}
	return true;
}

/*
 * Fills the tuple. `from_data`: on receive paths skb->data is the network header, while
 * network_header may still hold the sender's offset or be unset. An encapsulated packet's tuple
 * is its inner one (fill_inner); returns whether it was, with its outer tuple in `outer`.
 */
static __always_inline bool fill_tuple(struct tp_event *e, struct tp_pre_nat *outer, struct sk_buff *skb,
				       bool from_data, bool btf)
{
	unsigned char *l3 = READ(btf, skb->data, skb, data);
	unsigned char *l4;

	if (e->protocol != ETH_P_IP && e->protocol != ETH_P_IPV6 && e->protocol != 0)
		return false;
	if (!from_data) {
		__u16 network_header = READ(btf, skb->network_header, skb, network_header);

		if (network_header)
			l3 = READ(btf, skb->head, skb, head) + network_header;
	}
	l4 = fill_ip(e, l3);
	return l4 && fill_inner(e, outer, l4);
}

/*
 * A kernel pointer as a plain number: the verifier refuses arithmetic (the hash in journey_id) on
 * typed pointers, which a tp_btf skb and its head are, but does not track what a ring buffer
 * record holds, so a value stored there and read back is a number (on the stack it stays a
 * pointer). `scratch` is an event field its caller fills later; costs a store and a load.
 */
static __always_inline __u64 as_number(volatile __u64 *scratch, __u64 value)
{
	*scratch = value;
	value = *scratch;
	*scratch = 0;
	return value;
}

/*
 * The skb's journey id: its parent's when it is a tracked copy, else its own (journey_id).
 * `ending` (a free: kfree_skb, consume_skb) clears a copy's entry in place, so the next skb at
 * this address does not inherit it: a plain store, not a second map operation. `key` and `head`
 * are the skb's address and skb->head as numbers (see as_number).
 */
static __always_inline __u64 journey_of(__u64 key, __u64 head, bool ending)
{
	struct tp_journey *copy;

	if (!config.follow_copies)
		return journey_id(key, head);
	copy = bpf_map_lookup_elem(&journey_of_copy, &key);
	if (copy && copy->head == head) {
		if (ending)
			copy->head = 0;
		return copy->id;
	}
	return journey_id(key, head);
}

/* Conntrack's tuple as the kernel lays it out: 40 bytes, stable since conntrack exists. */
struct tp_ct_tuple {
	__u8 saddr[TP_ADDR_LEN];
	__u16 sport;
	__u16 l3num;
	__u8 daddr[TP_ADDR_LEN];
	__u16 dport;
	__u8 protonum;
	__u8 dir;
};

#define IPS_CONFIRMED (1 << 3)
#define IPS_SRC_NAT (1 << 4)
#define IPS_DST_NAT (1 << 5)
#define IPS_TEMPLATE (1 << 11)
#define IP_CT_ESTABLISHED 0
#define IP_CT_NEW 2
#define IP_CT_ESTABLISHED_REPLY 3
#define NFCT_INFOMASK 7UL

/*
 * The skb's conntrack entry, as one number (CT_*): its state and status bits (tp_event.ct, enum
 * tp_ct), whether the record needs the NAT trailer (translated, or a zone or mark set, so the
 * common event stays 120 bytes), whether netfilter translated the packet, and the entry's zone and
 * mark. `nfct` is skb->_nfct. One number in a register rather than fields on the stack: the
 * verifier then finds the states after it equal whichever way the entry was read, where a stack
 * slot holding a zero on one path and a read value on another kept every later path apart.
 * A veth crossing into another namespace clears the skb's conntrack entry (skb_scrub_packet), and
 * TCP drops it on delivery (nf_reset_ct in tcp_v4_rcv), so only events in between carry it; the
 * journey id carries the rest. Costs one load for an untracked packet, four reads for a tracked
 * one (status, zone, mark); compiled out when the kernel has no conntrack types (the nf_conntrack
 * module was not loaded when the tracer started). A template (raw table's -j CT before conntrack
 * ran) is no entry yet: reported as none.
 */
#define CT_STATE(summary) ((__u8)(summary))
#define CT_TRAILER (1ULL << 8)
#define CT_TRANSLATED (1ULL << 9)
#define CT_ZONE(summary) ((__u16)((summary) >> 16))
#define CT_MARK(summary) ((__u32)((summary) >> 32))

static __always_inline __u64 conntrack_summary(unsigned long nfct)
{
	unsigned long status, info = nfct & NFCT_INFOMASK;
	struct nf_conn *ct = (struct nf_conn *)(nfct & ~NFCT_INFOMASK);
	__u64 summary, zone = 0, mark = 0;
	bool translated;

	if (!bpf_core_field_exists(((struct sk_buff *)0)->_nfct) || !bpf_core_type_exists(struct nf_conn))
		return 0;
	if (!ct) {
		/* IP_CT_UNTRACKED (7) without an entry: -j NOTRACK / -j CT --notrack */
		return info == NFCT_INFOMASK ? TP_CT_ENTRY | NFCT_INFOMASK : 0;
	}
	if (bpf_core_read(&status, sizeof(status), &ct->status) || (status & IPS_TEMPLATE))
		return 0;
	summary = TP_CT_ENTRY | info | (status & IPS_CONFIRMED ? TP_CT_CONFIRMED : 0)
		  | (status & IPS_SRC_NAT ? TP_CT_SOURCE_NAT : 0) | (status & IPS_DST_NAT ? TP_CT_DESTINATION_NAT : 0);
	if (bpf_core_field_exists(ct->zone)) {
		__u16 id;

		if (!bpf_core_read(&id, sizeof(id), &ct->zone.id))
			zone = id;
	}
	if (bpf_core_field_exists(ct->mark)) {
		__u32 value;

		if (!bpf_core_read(&value, sizeof(value), &ct->mark))
			mark = value;
	}
	/* RELATED packets (ICMP errors) carry another connection's entry: its tuple is not theirs. */
	translated = (status & (IPS_SRC_NAT | IPS_DST_NAT))
		     && (info == IP_CT_ESTABLISHED || info == IP_CT_NEW || info == IP_CT_ESTABLISHED_REPLY);
	summary |= zone << 16 | mark << 32;
	if (translated)
		summary |= CT_TRANSLATED | CT_TRAILER;
	else if (zone || mark)
		summary |= CT_TRAILER;
	return summary;
}

/*
 * The record's NAT trailer from the conntrack entry (`summary` with CT_TRAILER): its zone and
 * mark and, when netfilter translated the packet, its tuple before the translation: conntrack's
 * tuple for the packet's direction. The tuple is how the tracepoints, which see a locally sent
 * packet only after OUTPUT's DNAT, still see where it was sent to.
 */
static __always_inline void fill_pre_nat(struct tp_pre_nat *pre, __u64 summary, unsigned long nfct)
{
	unsigned long info = nfct & NFCT_INFOMASK;
	struct nf_conn *ct = (struct nf_conn *)(nfct & ~NFCT_INFOMASK);
	struct tp_ct_tuple tuple;

	__builtin_memset(pre, 0, sizeof(*pre));
	pre->zone = CT_ZONE(summary);
	pre->ct_mark = CT_MARK(summary);
	if (!(summary & CT_TRANSLATED)
	    || bpf_core_read(&tuple, sizeof(tuple), &ct->tuplehash[info == IP_CT_ESTABLISHED_REPLY].tuple))
		return;
	__builtin_memcpy(pre->saddr, tuple.saddr, TP_ADDR_LEN);
	__builtin_memcpy(pre->daddr, tuple.daddr, TP_ADDR_LEN);
	pre->sport = bpf_ntohs(tuple.sport);
	pre->dport = bpf_ntohs(tuple.dport);
	pre->nat = (summary & TP_CT_SOURCE_NAT ? TP_NAT_SOURCE : 0)
		   | (summary & TP_CT_DESTINATION_NAT ? TP_NAT_DESTINATION : 0);
	pre->reply = info == IP_CT_ESTABLISHED_REPLY;
}

/* skb->_nfct, 0 where the kernel has no conntrack types. */
static __always_inline unsigned long skb_nfct(struct sk_buff *skb, bool btf)
{
	if (!bpf_core_field_exists(skb->_nfct) || !bpf_core_type_exists(struct nf_conn))
		return 0;
	return READ(btf, skb->_nfct, skb, _nfct);
}


/* An skb's MAC header is unset while it holds this (skb_mac_header_was_set). */
#define MAC_HEADER_UNSET 0xffff

/*
 * Copies the first tp_snap_len bytes of the packet after the event: from the Ethernet header when
 * the skb has one at that point (a MAC header set, exactly ETH_HLEN before the network header:
 * received frames, frames being transmitted, forwarded ones), else from the IP header (a locally
 * sent packet before its link header is pushed). Only the linear data: the rest may sit in pages.
 */
static __always_inline void capture(struct tp_capture *cap, __u16 protocol, struct sk_buff *skb, bool from_data,
				    bool btf)
{
	__u8 *bytes = (void *)(cap + 1);
	unsigned char *head = READ(btf, skb->head, skb, head);
	unsigned char *data = READ(btf, skb->data, skb, data);
	__u16 mac_header = READ(btf, skb->mac_header, skb, mac_header);
	__u16 network_header = READ(btf, skb->network_header, skb, network_header);
	__u32 len = READ(btf, skb->len, skb, len);
	__u32 data_len = READ(btf, skb->data_len, skb, data_len);
	unsigned char *l3 = data;
	unsigned char *start;
	__s64 avail;

	if (!from_data && network_header)
		l3 = head + network_header;
	if (mac_header != MAC_HEADER_UNSET && head + mac_header + ETH_HLEN == l3) {
		start = head + mac_header;
		cap->link_type = TP_LINK_ETHERNET;
	} else if (protocol == ETH_P_IP || protocol == ETH_P_IPV6) {
		start = l3;
		cap->link_type = TP_LINK_RAW;
	} else {
		cap->link_type = TP_LINK_NONE; /* no link header, and no IP to start from */
		return;
	}
	/* linear data ends at data + len - data_len; the packet at data + len */
	avail = (__s64)(data - start) + len - data_len;
	cap->orig_len = (__u32)((__s64)(data - start) + len);
	if (avail <= 0) {
		cap->link_type = TP_LINK_NONE;
		return;
	}
	/* Always tp_snap_len bytes, a size the verifier knows: a variable size bounded by the linear
	 * data is refused by older verifiers (6.1), which lose its bounds. Reading past the data stays
	 * in the skb's buffer (skb_shared_info follows it); only cap_len bytes are the packet's. */
	if (bpf_probe_read_kernel(bytes, tp_snap_len, start)) {
		cap->link_type = TP_LINK_NONE;
		return;
	}
	cap->cap_len = avail < tp_snap_len ? (__u16)avail : (__u16)tp_snap_len;
}

/*
 * Reserves the record, with the NAT trailer's room when `translated` (grown): the verifier wants
 * constant sizes, so one reservation per branch. NULL, and a counted loss, when the ring buffer
 * is full.
 */
static __always_inline struct tp_event *reserve(bool translated, struct tp_pre_nat **trailer)
{
	struct tp_event *e;

#ifdef TP_BENCH_FIELDS
	if (tp_fields == TP_FIELDS_STAGED) {
		__u32 zero = 0;
		struct tp_stage *staged = bpf_map_lookup_elem(&stage, &zero);

		if (!staged || translated || tp_snap_len)
			return NULL;
		return (void *)&staged->events[(staged->count & (TP_STAGE_EVENTS - 1)) * TP_STAGE_STRIDE];
	}
#endif
	if (translated) {
		e = tp_snap_len ? bpf_ringbuf_reserve(&events, TP_RECORD_SIZE(sizeof(*e) + sizeof(struct tp_pre_nat)
									      + sizeof(struct tp_capture) + tp_snap_len), 0)
				: bpf_ringbuf_reserve(&events, sizeof(*e) + sizeof(struct tp_pre_nat), 0);
		if (e)
			*trailer = (void *)(e + 1);
	} else {
		e = tp_snap_len ? bpf_ringbuf_reserve(&events, TP_RECORD_SIZE(sizeof(*e) + sizeof(struct tp_capture)
									      + tp_snap_len), 0)
				: bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	}
	if (!e)
		count(TP_COUNTER_LOST);
	return e;
}

/*
 * The record `e` again with room for the NAT trailer: for a translated packet's tuple before the
 * translation, a conntrack zone or mark, or an encapsulated packet's outer tuple. Only such
 * packets pay for a second reservation (the event so far copied, the first record discarded), so
 * the common event stays as it was and the probes' code has one record size to be checked with
 * (emit_dev). NULL, and a counted loss, when full.
 */
static __always_inline struct tp_event *grown(struct tp_event *e, struct tp_pre_nat **trailer)
{
	struct tp_event *bigger = reserve(true, trailer);

	if (bigger)
		__builtin_memcpy(bigger, e, sizeof(*e));
	bpf_ringbuf_discard(e, BPF_RB_NO_WAKEUP);
	return bigger;
}

/*
 * The skb's address as a number, also where the skb is a typed pointer (an fentry program on a
 * known function): the verifier refuses arithmetic on those, and writing one into a map. Read
 * from the stack, where the verifier does not follow what the helper copies.
 */
static __always_inline __u64 skb_address(struct sk_buff *skb)
{
	__u64 address = 0;

	bpf_probe_read_kernel(&address, sizeof(address), &skb);
	return address;
}

/*
 * The packet's fields of an event: device, mark, length, protocol, tuple; what every event and a
 * function return's snapshot share. Returns whether the packet was encapsulated, its outer tuple
 * then in `outer` (fill_tuple).
 */
static __always_inline bool fill_packet(struct tp_event *e, struct tp_pre_nat *outer, struct sk_buff *skb,
					struct net_device *dev, bool from_data, bool btf)
{
	/* not a kernel address: UDP's scratch word (skb_netns) */
	e->ifindex = (__s64)(unsigned long)dev < 0 ? READ(btf, dev->ifindex, dev, ifindex)
						   : READ(btf, skb->skb_iif, skb, skb_iif);
	e->mark = READ(btf, skb->mark, skb, mark);
	e->len = READ(btf, skb->len, skb, len);
	e->protocol = bpf_ntohs(READ(btf, skb->protocol, skb, protocol));
	return fill_tuple(e, outer, skb, from_data, btf);
}

/*
 * Fills `e` (not a ring buffer record: a map value or the stack) with what an event of the skb
 * would hold now, without trailers: the snapshot a function-return event is made of when the
 * function returns (bpf/tracepackets.bpf.c, RETURN_PROBES), by then the skb may have been freed.
 * The skb is a bare number (a kprobe's argument, or fentry's read as one). An overlay's packet
 * gets its inner tuple, as its other events on the underlay; its outer one, which needs the NAT
 * trailer, is left out, so the snapshot and the return's event stay one common event.
 */
static __always_inline void fill_snapshot(struct tp_event *e, struct sk_buff *skb, __u32 inum, __u8 probe)
{
	__u64 address = skb_address(skb);
	struct tp_pre_nat outer;

	__builtin_memset(e, 0, sizeof(*e));
	e->skb = address;
	e->netns = inum;
	e->probe = probe;
	e->cpu = bpf_get_smp_processor_id();
	e->stack_id = -1;
	e->ct = CT_STATE(conntrack_summary(skb_nfct(skb, false)));
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	fill_packet(e, &outer, skb, BPF_CORE_READ(skb, dev), false, false);
	e->journey = journey_of(address, (__u64)BPF_CORE_READ(skb, head), false);
}

/*
 * Reserves and fills the common part of an event and its conntrack state; then, for a packet
 * netfilter translated (or whose entry has a zone or mark) or an encapsulated one, moves it into a
 * record with the NAT trailer's room and fills the trailer (grown). NULL (and a counted loss) when
 * full. The record is reserved, and its cache lines
 * first written (the memset), before the slow part (the clock, the header read): the ring buffer's
 * lines are cold, and their misses then resolve while the probe works instead of stalling the
 * submit (building the event on the stack and copying it at the end cost ~80 ns more per event).
 * With `btf`, the current task's tgid and comm are plain loads from bpf_get_current_task_btf()
 * rather than two more helper calls (bpf_get_current_comm alone cost ~80 ns per event here);
 * before 5.11, which lacks that helper, the helper calls.
 */
static __always_inline struct tp_event *emit_dev(struct sk_buff *skb, struct net_device *dev, __u32 inum, __u8 probe,
						 bool from_data, bool in_task, bool btf)
{
	struct tp_pre_nat *trailer = NULL;
	/* Zeroed, though read only when fill_packet filled it: clang may reload its spilled fields
	 * before that test, and 5.10's verifier refuses a read of stack never written. */
	struct tp_pre_nat outer = {};
	struct tp_event *e;
	__u32 fields = tp_fields;
	__u64 ct = fields == TP_FIELDS_NONE ? 0 : conntrack_summary(skb_nfct(skb, btf));
	bool encapsulated;

	e = reserve(false, &trailer);
	if (!e)
		return NULL;
	__builtin_memset(e, 0, sizeof(*e));
	e->netns = inum;
	e->probe = probe;
	if (fields == TP_FIELDS_NONE)
		return e;
	e->ts_ns = bpf_ktime_get_ns();
	e->skb = (__u64)skb;
	e->cpu = bpf_get_smp_processor_id();
	e->stack_id = -1;
	e->ct = CT_STATE(ct);
	if (in_task && btf && HAS_HELPER(get_current_task_btf)) {
		struct task_struct *task = bpf_get_current_task_btf();

		e->pid = task->tgid;
		*(__u64 *)&e->comm[0] = *(__u64 *)&task->comm[0];
		*(__u64 *)&e->comm[8] = *(__u64 *)&task->comm[8];
	} else if (in_task) {
		e->pid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(e->comm, sizeof(e->comm));
	}

	if (fields == TP_FIELDS_IDENTITY)
		return e;
	/*
	 * The conntrack summary waits in the record (its journey field, filled below) while the
	 * packet is read: the verifier does not follow a value through ring buffer memory, so the
	 * packet's parsing is checked once, not once for each way the summary was made (entry or
	 * none, untracked, template, translated, zone, mark). Kept in a register and tested there, it
	 * made Debian 6.1's and 5.10's verifiers walk 20,340 instructions for a function probe, 2,529
	 * without: a fentry clone per function took 8 times bpftrace's to attach.
	 */
	e->journey = ct;
	encapsulated = fill_packet(e, &outer, skb, dev, from_data, btf);
	ct = e->journey;
	/* `location` is filled later by the callers that set it: scratch space until then. */
	e->journey = journey_of(as_number(&e->location, (__u64)skb),
				as_number(&e->location, (__u64)READ(btf, skb->head, skb, head)),
				probe == TP_PROBE_KFREE_SKB || probe == TP_PROBE_CONSUME_SKB);
	if (encapsulated || (ct & CT_TRAILER)) {
		/* Only such packets pay for a record with the trailer's room, the event copied there. */
		if (tp_fields == TP_FIELDS_STAGED)
			return NULL; /* the benchmark's bound makes no trailers */
		e = grown(e, &trailer);
		if (!e)
			return NULL;
		if (encapsulated) {
			/* the outer tuple (fill_inner), with the entry's zone and mark; a translation of
			 * the outer packet is not shown */
			__builtin_memcpy(trailer, &outer, sizeof(outer));
			trailer->zone = CT_ZONE(ct);
			trailer->ct_mark = CT_MARK(ct);
		} else {
			fill_pre_nat(trailer, ct, skb_nfct(skb, btf));
		}
		e->trailers = TP_TRAILER_NAT;
	}
	if (tp_snap_len) {
		struct tp_capture *cap = trailer ? (void *)(trailer + 1) : (void *)(e + 1);

		e->trailers |= TP_TRAILER_CAPTURE;
		__builtin_memset(cap, 0, sizeof(*cap));
		capture(cap, e->protocol, skb, from_data, btf);
	}
	return e;
}

/* emit_dev for an skb whose device the caller has not read. */
static __always_inline struct tp_event *emit(struct sk_buff *skb, __u32 inum, __u8 probe, bool from_data,
					     bool in_task, bool btf)
{
	return emit_dev(skb, READ(btf, skb->dev, skb, dev), inum, probe, from_data, in_task, btf);
}

/*
 * Submits without waking the reader: it polls every 5 ms while a trace is open. A wakeup is an
 * irq_work the kernel raises as an interrupt to this CPU, pending from the submit and taken the
 * moment the probe turns interrupts back on, while the probe still runs; where the probe ran with
 * softirqs allowed (a socket's read freeing a datagram: consume_skb, skb_copy_datagram_iovec),
 * leaving that interrupt runs the pending network softirq, whose packets met the same probe, which
 * the kernel then skipped: the benchmark's 10,000-datagram window lost 52 runs that way with a
 * wakeup every 512 events. Markers still wake it (not a tracepoint probe). Counted in the per-CPU
 * `emitted` counter.
 */
static __always_inline void submit(struct tp_event *e)
{
	count(TP_COUNTER_EMITTED);
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

/*
 * Submits an event that emit() or emit_dev() made: in the benchmark's TP_FIELDS_STAGED build it
 * stays in the stage, which every TP_STAGE_EVENTS-th event writes out.
 */
static __always_inline void commit(struct tp_event *e)
{
#ifdef TP_BENCH_FIELDS
	if (tp_fields == TP_FIELDS_STAGED) {
		__u32 zero = 0;
		struct tp_stage *staged = bpf_map_lookup_elem(&stage, &zero);

		count(TP_COUNTER_EMITTED);
		if (staged && (++staged->count & (TP_STAGE_EVENTS - 1)) == 0
		    && bpf_ringbuf_output(&events, staged->events, sizeof(staged->events), BPF_RB_NO_WAKEUP))
			count(TP_COUNTER_LOST);
		return;
	}
#endif
	submit(e);
}

/*
 * count_event for a tracepoint's or hook's event: in the namespace's row of hook_counts when the
 * config lists the namespace itself, else in the hash.
 */
static __always_inline void count_hook(__u32 inum, __u32 probe)
{
	const struct tp_config *cfg = &config;

	if (tp_load.uncounted)
		return;
	if (cfg->mode == TP_MODE_NETNS && cfg->netns_count <= TP_INLINE_NETNS && probe < TP_HOOK_COUNTS) {
#pragma unroll
		for (__u32 i = 0; i < TP_INLINE_NETNS; i++) {
			if (cfg->netns[i] == inum) {
				struct tp_hook_row *row = bpf_map_lookup_elem(&hook_counts, &i);

				if (!row)
					break;
				__sync_fetch_and_add(&row->count[probe & (TP_HOOK_COUNTS - 1)], 1);
				return;
			}
		}
	}
	count_event(inum, probe, 0, 0);
}

/* A tracepoint's or a hook's work on a packet in scope (`guard`: see irqs_off). */
static __always_inline int trace_skb_in_scope(struct sk_buff *skb, struct net_device *dev, __u32 inum, __u8 probe,
					      bool from_data, bool in_task, bool btf, bool guard)
{
	unsigned long irqs;
	struct tp_event *e;

	irqs_off(guard, &irqs);
	if (filtered_in(skb, btf)) {
		count_hook(inum, probe);
		e = emit_dev(skb, dev, inum, probe, from_data, in_task, btf);
		if (e)
			commit(e);
	}
	irqs_on(guard, &irqs);
	return 0;
}

/* A hook's probe, inline (socket_receive: a cgroup program, run only for packets a socket takes). */
static __always_inline int trace_skb(struct sk_buff *skb, __u8 probe, bool from_data, bool in_task, bool btf,
				     bool guard)
{
	struct net_device *dev;
	__u32 inum;

	if (btf)
		skb = UNTRUSTED(struct sk_buff, skb);
	inum = scoped_dev(skb, &dev, in_task, btf);
	if (!inum)
		return 0;
	return trace_skb_in_scope(skb, dev, inum, probe, from_data, in_task, btf, guard);
}

#endif /* __SKB_EVENTS_BPF_H */
