package io.tracepackets.internal.window;

/**
 * A map of non-zero longs to longs, kept in two arrays (open addressing, linear probing): a
 * flood's hundreds of thousands of journey ids cost 16 to 32 bytes each instead of a boxed
 * entry's 60 or more. Zero is no key. Not thread-safe.
 */
final class LongMap {

	private long[] keys = new long[64];
	private long[] values = new long[64];
	private int size;

	/** The value of {@code key}, or {@code absent}. */
	long get(long key, long absent) {
		if (key == 0) {
			return absent;
		}
		int slot = find(key);
		return keys[slot] == key ? values[slot] : absent;
	}

	boolean containsKey(long key) {
		return key != 0 && keys[find(key)] == key;
	}

	void put(long key, long value) {
		if (key == 0) {
			throw new IllegalArgumentException("0 is no key");
		}
		int slot = find(key);
		if (keys[slot] != key) {
			if ((size + 1) * 4L > keys.length * 3L) {
				grow();
				slot = find(key);
			}
			keys[slot] = key;
			size++;
		}
		values[slot] = value;
	}

	/** {@code key}'s value; {@code key} itself, put as its value, when it had none. */
	long putIfAbsentItself(long key) {
		if (key == 0) {
			throw new IllegalArgumentException("0 is no key");
		}
		int slot = find(key);
		if (keys[slot] == key) {
			return values[slot];
		}
		put(key, key);
		return key;
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
		long[] oldValues = values;
		keys = new long[oldKeys.length * 2];
		values = new long[oldKeys.length * 2];
		for (int i = 0; i < oldKeys.length; i++) {
			if (oldKeys[i] != 0) {
				int slot = find(oldKeys[i]);
				keys[slot] = oldKeys[i];
				values[slot] = oldValues[i];
			}
		}
	}

	/** The kernel's ids are hashes already, the made-up ones too; a mix guards against any that are not. */
	private static int mix(long key) {
		long z = key * 0x9E3779B97F4A7C15L;
		return (int) (z ^ (z >>> 32));
	}
}
