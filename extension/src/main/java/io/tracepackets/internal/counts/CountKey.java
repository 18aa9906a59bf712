package io.tracepackets.internal.counts;

/**
 * One entry of the kernel's {@code counts} map ({@code struct tp_count_key}): what the probes
 * counted in one namespace at one probe; for drops also per reason and location, for kernel
 * functions per function.
 *
 * @param netns the namespace's inode
 * @param probe {@code enum tp_probe}: a tracepoint's id, the socket_receive or XDP hook, or a function
 * @param reason a drop's {@code enum skb_drop_reason} value, an XDP program's verdict; else 0
 * @param where a drop's location, a function's address, an XDP program's id; else 0
 */
public record CountKey(long netns, int probe, int reason, long where) {
}
