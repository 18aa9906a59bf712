package io.tracepackets;

import java.util.Objects;

/**
 * How many packets the kernel dropped in one namespace for one reason at one location, counted by
 * the probes in the kernel ({@link KernelCounts}): exact, whether or not the trace kept their events.
 *
 * @param netns the namespace's inode, as {@link PacketEvent#netns()} carries it
 * @param reason the drop reason, {@link DropReason#NOT_SPECIFIED} on kernels without reasons (before 5.17)
 * @param kind what such a drop means: lost, discarded after delivery, or not a loss (the same
 *     table decides it as for {@link PacketEvent#dropKind()})
 * @param location where the kernel freed the packets, as {@code function+0xoffset}, e.g.
 *     {@code "__udp4_lib_rcv+0x5f8"}; the address in hex where no symbol covers it
 * @param count how many, 1 or more
 */
public record DropCount(long netns, DropReason reason, DropKind kind, String location, long count) {

	/**
	 * Checks the parts.
	 *
	 * @param netns the namespace's inode
	 * @param reason the drop reason
	 * @param kind what the drop means
	 * @param location {@code function+0xoffset}
	 * @param count how many, 1 or more
	 */
	public DropCount {
		Objects.requireNonNull(reason, "reason");
		Objects.requireNonNull(kind, "kind");
		Objects.requireNonNull(location, "location");
	}

	/**
	 * The function that freed the packets.
	 *
	 * @return {@link #location()} without its offset and module, e.g. {@code "__udp4_lib_rcv"}
	 */
	public String locationFunction() {
		return FrameNames.functionOf(location);
	}
}
