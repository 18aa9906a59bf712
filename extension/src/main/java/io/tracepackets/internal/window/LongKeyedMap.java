package io.tracepackets.internal.window;

/**
 * A map of longs to objects, kept in two arrays (open addressing, linear probing): the open
 * paths by skb address, looked up for every event of a flood, which boxed the address each time
 * and made a hash map's entry per path. Zero marks a free slot: key 0's value is kept apart.
 * Not thread-safe.
 */
final class LongKeyedMap<V> {

	private long[] keys = new long[64];
	private Object[] values = new Object[64];
	private int size;
	private boolean hasZero;
	private Object zeroValue;

	/** The value of {@code key}, or null. */
	@SuppressWarnings("unchecked")
	V get(long key) {
		if (key == 0) {
			return (V) zeroValue;
		}
		int slot = find(key);
		return keys[slot] == key ? (V) values[slot] : null;
	}

	/** Puts {@code value} for {@code key}; returns the value it replaced, or null. */
	@SuppressWarnings("unchecked")
	V put(long key, V value) {
		if (key == 0) {
			V before = (V) zeroValue;
			zeroValue = value;
			size += hasZero ? 0 : 1;
			hasZero = true;
			return before;
		}
		int slot = find(key);
		if (keys[slot] == key) {
			V before = (V) values[slot];
			values[slot] = value;
			return before;
		}
		if ((size + 1) * 4L > keys.length * 3L) {
			grow();
			slot = find(key);
		}
		keys[slot] = key;
		values[slot] = value;
		size++;
		return null;
	}

	/** Removes {@code key}; returns its value, or null. */
	@SuppressWarnings("unchecked")
	V remove(long key) {
		if (key == 0) {
			V before = (V) zeroValue;
			size -= hasZero ? 1 : 0;
			hasZero = false;
			zeroValue = null;
			return before;
		}
		int slot = find(key);
		if (keys[slot] != key) {
			return null;
		}
		V before = (V) values[slot];
		// Backward-shift deletion: the keys after it in its run move up where a lookup still finds
		// them, so no tombstones pile up in a map whose keys come and go millions of times.
		int mask = keys.length - 1;
		int hole = slot;
		int next = (hole + 1) & mask;
		while (keys[next] != 0) {
			int home = mix(keys[next]) & mask;
			// the key at next may fill the hole when its home is not cyclically in (hole, next]
			if (((next - home) & mask) >= ((next - hole) & mask)) {
				keys[hole] = keys[next];
				values[hole] = values[next];
				hole = next;
			}
			next = (next + 1) & mask;
		}
		keys[hole] = 0;
		values[hole] = null;
		size--;
		return before;
	}

	int size() {
		return size;
	}

	/** The slot holding {@code key}, or the empty slot where it would go. */
	private int find(long key) {
		int mask = keys.length - 1;
		int slot = mix(key) & mask;
		while (keys[slot] != 0 && keys[slot] != key) {
			slot = (slot + 1) & mask;
		}
		return slot;
	}

	private void grow() {
		long[] oldKeys = keys;
		Object[] oldValues = values;
		keys = new long[oldKeys.length * 2];
		values = new Object[oldKeys.length * 2];
		for (int i = 0; i < oldKeys.length; i++) {
			if (oldKeys[i] != 0) {
				int slot = find(oldKeys[i]);
				keys[slot] = oldKeys[i];
				values[slot] = oldValues[i];
			}
		}
	}

	/**
	 * A key's hash for the window's open-addressing tables (this one, {@link LongMap},
	 * {@link EndedPaths}): skb addresses are aligned, their low bits alike, and journey ids may not
	 * be hashes; mixed, either spreads over the slots.
	 */
	static int mix(long key) {
		long z = key * 0x9E3779B97F4A7C15L;
		return (int) (z ^ (z >>> 32));
	}

	/**
	 * In a table of {@code capacity} slots (a power of two) whose keys are the column {@code keys},
	 * 0 marking a free slot ({@link LongMap}, {@link EndedPaths}): the slot holding {@code key}, or
	 * the free slot where it would go.
	 */
	static int slotIn(LongColumn keys, int capacity, long key) {
		int mask = capacity - 1;
		int slot = mix(key) & mask;
		long at;
		while ((at = keys.getOrZero(slot)) != 0 && at != key) {
			slot = (slot + 1) & mask;
		}
		return slot;
	}

}
