package io.tracepackets.cli;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Sets the command line keeps for as long as it runs (journeys followed, drop sentences said),
 * bounded: a flood brings ever new members, so the least recently used one goes first once a set
 * is full.
 */
final class RecentSets {

	private RecentSets() {
	}

	/** A set of at most {@code most} members, the least recently added or looked up dropped first. */
	static <T> Set<T> atMost(int most) {
		return Collections.newSetFromMap(new LinkedHashMap<>(256, 0.75f, true) {
			@Override
			protected boolean removeEldestEntry(Map.Entry<T, Boolean> eldest) {
				return size() > most;
			}
		});
	}
}
