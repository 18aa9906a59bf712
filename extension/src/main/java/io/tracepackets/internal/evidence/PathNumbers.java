package io.tracepackets.internal.evidence;

import io.tracepackets.PacketEvent;
import io.tracepackets.PacketPath;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each event's packet (its path's index) and journey, as both evidence files number them: the
 * journey as the API has it, since the reader makes one up where the kernel gave a reused skb the
 * id of the packet before it. Events are values, looked up by equality: a trace decodes its lists
 * as they are read, so the same event is not the same object in two of them.
 */
final class PathNumbers {

	private final Map<PacketEvent, Integer> packetOf = new HashMap<>();
	private final Map<PacketEvent, Long> journeyOf = new HashMap<>();

	PathNumbers(List<PacketPath> paths) {
		for (int i = 0; i < paths.size(); i++) {
			for (PacketEvent event : paths.get(i).events()) {
				packetOf.put(event, i);
				journeyOf.put(event, paths.get(i).journey());
			}
		}
	}

	/** The index of the event's path; null for an event that is no packet's. */
	Integer packet(PacketEvent event) {
		return packetOf.get(event);
	}

	/** The event's path's journey; the event's own where it belongs to no path. */
	long journey(PacketEvent event) {
		return journeyOf.getOrDefault(event, event.journey());
	}
}
