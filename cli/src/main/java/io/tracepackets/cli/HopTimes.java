package io.tracepackets.cli;

import io.tracepackets.PacketEvent;
import java.util.OptionalLong;

/**
 * Each packet's latest event time, for the HOP column, in fixed memory: three arrays of
 * {@value #SLOTS} entries (1.5 MiB), direct-mapped by the packet's journey id (or its skb address
 * where the kernel gave none), nothing allocated per event. A flood streams millions of packets
 * through it; a packet whose slot another took since its previous event shows {@code -}, as its
 * first event does. Not thread-safe: the polling thread alone uses it.
 */
final class HopTimes {

	static final int SLOTS = 1 << 16;

	/** The packet in each slot: its journey id, or its skb address with the top bit flipped; 0: none. */
	private final long[] keys = new long[SLOTS];
	private final long[] times = new long[SLOTS];
	/** The skb of the slot's latest event, negated once that event freed it. */
	private final long[] skbs = new long[SLOTS];

	/**
	 * Remembers {@code event} as its packet's latest and returns the time of the packet's event
	 * before it: empty for its first, after another packet took its slot, and after a free of the
	 * same skb (an skb reused for another packet).
	 */
	OptionalLong previous(PacketEvent event) {
		long key = event.journey() != 0 ? event.journey() : event.skb() ^ Long.MIN_VALUE;
		int slot = slot(key);
		OptionalLong previous = OptionalLong.empty();
		if (key != 0 && keys[slot] == key && skbs[slot] != -event.skb()) {
			previous = OptionalLong.of(times[slot]);
		}
		keys[slot] = key;
		times[slot] = event.timestampNanos();
		skbs[slot] = event.isDrop() || event.isConsumed() ? -event.skb() : event.skb();
		return previous;
	}

	private static int slot(long key) {
		long mixed = key * 0x9E3779B97F4A7C15L;
		return (int) (mixed >>> (64 - Integer.numberOfTrailingZeros(SLOTS)));
	}
}
