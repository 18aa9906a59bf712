package io.tracepackets.cli;

import io.tracepackets.PacketEvent;
import io.tracepackets.PacketFilter;
import io.tracepackets.internal.live.LiveTrace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * pwru's filters that run on each event as it is read: the skb mark (under a mask), the device,
 * and {@code --filter-track-skb}, which shows every later event of a packet once one of its events
 * matched. A packet is followed by its journey id, which the kernel gives an skb and its copies and
 * keeps through NAT and across namespaces, so a DNATed datagram found by the address it was sent to
 * shows its events after the rewrite too. Not thread-safe: the polling thread alone uses it.
 */
final class EventSelection {

	private final CliOptions.Selection selection;
	private final PacketFilter pcap;
	/** --filter-ifname as a test writes it: {@code anyPacket().netns(inode).dev(name)}; null: any device. */
	private final PacketFilter device;
	/** Journeys followed at once, at most: a packet whose free was lost would be followed forever. */
	static final int FOLLOWED = 65_536;
	/**
	 * Journeys that matched once and are followed until their skb is freed; under a flood that loses
	 * events, the longest unseen ones are let go first, so that this stays bounded.
	 */
	private final Set<Long> followed = RecentSets.atMost(FOLLOWED);

	private EventSelection(CliOptions.Selection selection, PacketFilter pcap, PacketFilter device) {
		this.selection = selection;
		this.pcap = pcap;
		this.device = device;
	}

	/**
	 * @throws IllegalArgumentException when --filter-ifname names no device of this process's
	 *     namespace, or its --netns is no namespace
	 */
	static EventSelection of(CliOptions.Selection selection) {
		PacketFilter device = null;
		if (selection.ifname() != null) {
			long netns;
			if (selection.ifnameNetns() == null) {
				if (!Files.exists(Path.of("/sys/class/net", selection.ifname()))) {
					throw new IllegalArgumentException("--filter-ifname " + selection.ifname() + ": no such device in"
							+ " this namespace (ip link lists them); for another namespace's, add --netns");
				}
				netns = LiveTrace.inodeOf("/proc/self/ns/net");
			} else {
				netns = LiveTrace.inodeOf(selection.ifnameNetns());
			}
			try {
				device = PacketFilter.anyPacket().netns(netns).dev(selection.ifname());
			} catch (IllegalArgumentException e) {
				throw new IllegalArgumentException("--filter-ifname " + selection.ifname() + ": " + e.getMessage(), e);
			}
		}
		PacketFilter pcap;
		try {
			pcap = selection.pcap() == null ? null : PacketFilter.pcap(selection.pcap());
		} catch (io.tracepackets.TracePacketsException e) {
			throw new IllegalArgumentException(e.getMessage(), e);
		}
		return new EventSelection(selection, pcap, device);
	}

	/** {@code event} as it is to be shown, or null when it is not. */
	PacketEvent select(PacketEvent event) {
		boolean shown;
		if (!selection.trackSkb()) {
			shown = matches(event);
		} else if (event.journey() != 0 && followed.contains(event.journey())) {
			shown = true;
			if (event.isDrop() || event.isConsumed()) {
				followed.remove(event.journey());
			}
		} else {
			shown = matches(event);
			if (shown && event.journey() != 0 && !event.isDrop() && !event.isConsumed()) {
				followed.add(event.journey());
			}
		}
		if (!shown) {
			return null;
		}
		return selection.stripBytes() ? LiveTrace.withoutPacketBytes(event) : event;
	}

	private boolean matches(PacketEvent event) {
		if (selection.mark() != null && (event.mark() & selection.markMask()) != (selection.mark() & selection.markMask())) {
			return false;
		}
		if (device != null && !device.test(event)) {
			return false;
		}
		return pcap == null || pcap.test(event);
	}
}
