package io.tracepackets.internal.window;

/**
 * A map of non-zero longs to longs, kept in two arrays (open addressing, linear probing): a
 * flood's hundreds of thousands of journey ids cost 16 to 32 bytes each instead of a boxed
 * entry's 60 or more. The table is in pages ({@link LongColumn}): as one array it was a humongous
 * object, rounded up to whole regions and copied at each growth. Zero is no key. Not thread-safe.
 */
final class LongMap {

	/** The table's slots, a power of two. */
	private int capacity = 64;
	private LongColumn keys = new LongColumn();
	private LongColumn values = new LongColumn();
	private int size;

	/** The value of {@code key}, or {@code absent}. */
	long get(long key, long absent) {
		if (key == 0) {
			return absent;
		}
		int slot = find(key);
		return keys.getOrZero(slot) == key ? values.getOrZero(slot) : absent;
	}

	boolean containsKey(long key) {
		return key != 0 && keys.getOrZero(find(key)) == key;
	}

	void put(long key, long value) {
		if (key == 0) {
			throw new IllegalArgumentException("0 is no key");
		}
		int slot = find(key);
		if (keys.getOrZero(slot) != key) {
			if ((size + 1) * 4L > capacity * 3L) {
				grow();
				slot = find(key);
			}
			keys.set(slot, key);
			size++;
		}
		values.set(slot, value);
	}

	/** {@code key}'s value; {@code key} itself, put as its value, when it had none. */
	long putIfAbsentItself(long key) {
		if (key == 0) {
			throw new IllegalArgumentException("0 is no key");
		}
		int slot = find(key);
		if (keys.getOrZero(slot) == key) {
			return values.getOrZero(slot);
		}
		put(key, key);
		return key;
	}

	int size() {
		return size;
	}

	/** The slot holding {@code key}, or the empty slot where it would go. */
	private int find(long key) {
		return LongKeyedMap.slotIn(keys, capacity, key);
	}

	private void grow() {
		LongColumn oldKeys = keys;
		LongColumn oldValues = values;
		int oldCapacity = capacity;
		capacity *= 2;
		keys = new LongColumn();
		values = new LongColumn();
		for (int i = 0; i < oldCapacity; i++) {
			long key = oldKeys.getOrZero(i);
			if (key != 0) {
				int slot = find(key);
				keys.set(slot, key);
				values.set(slot, oldValues.getOrZero(i));
			}
		}
	}
}
