package io.tracepackets.internal.window;

/**
 * The last path of each skb address that ended at a free, as numbers: its place in the trace,
 * the kernel's journey id it had (a reuse of the address and buffer gives the next packet that
 * id), the index of its free, and the CPU and time of the free (a freeing function's event right
 * after it is the packet's teardown). A flood's packets leave a hundred thousand addresses at
 * once waiting to be handed back; as objects (a path builder, its entry, its boxed key) each was
 * a survivor of every young collection of the burst. Open addressing, linear probing, in which
 * zero marks a free slot: address 0 has the slot after the table's. Not thread-safe.
 */
final class EndedPaths {

	/** The slots of the table, a power of two; one more in each array, for address 0. */
	private int capacity = 64;
	private long[] skbs = new long[capacity + 1];
	private int[] positions = new int[capacity + 1];
	private long[] kernelJourneys = new long[capacity + 1];
	private int[] frees = new int[capacity + 1];
	private int[] cpus = new int[capacity + 1];
	private long[] freedAt = new long[capacity + 1];
	private boolean hasZero;
	private int size;

	/** The slot of the path that last ended at {@code skb}, or -1. */
	int find(long skb) {
		if (skb == 0) {
			return hasZero ? capacity : -1;
		}
		int slot = slotOf(skb);
		return skbs[slot] == skb ? slot : -1;
	}

	/** Records the path at {@code position} as the last to end at {@code skb}, in place of the one before. */
	void put(long skb, int position, long kernelJourney, int free, int cpu, long nanos) {
		int slot;
		if (skb == 0) {
			slot = capacity;
			hasZero = true;
		} else {
			slot = slotOf(skb);
		}
		if (skb != 0 && skbs[slot] != skb) {
			if ((size + 1) * 4L > capacity * 3L) {
				grow();
				slot = slotOf(skb);
			}
			skbs[slot] = skb;
			size++;
		}
		positions[slot] = position;
		kernelJourneys[slot] = kernelJourney;
		frees[slot] = free;
		cpus[slot] = cpu;
		freedAt[slot] = nanos;
	}

	/** The place in the trace of the path in {@code slot}. */
	int position(int slot) {
		return positions[slot];
	}

	/** The id the kernel gave the events of the path in {@code slot} last (0: none). */
	long kernelJourney(int slot) {
		return kernelJourneys[slot];
	}

	/** The index of the free that ended the path in {@code slot}. */
	int free(int slot) {
		return frees[slot];
	}

	int cpu(int slot) {
		return cpus[slot];
	}

	long freedAtNanos(int slot) {
		return freedAt[slot];
	}

	private int slotOf(long skb) {
		int mask = capacity - 1;
		long z = skb * 0x9E3779B97F4A7C15L;
		int slot = (int) (z ^ (z >>> 32)) & mask;
		while (skbs[slot] != 0 && skbs[slot] != skb) {
			slot = (slot + 1) & mask;
		}
		return slot;
	}

	private void grow() {
		long[] oldSkbs = skbs;
		int[] oldPositions = positions;
		long[] oldJourneys = kernelJourneys;
		int[] oldFrees = frees;
		int[] oldCpus = cpus;
		long[] oldFreedAt = freedAt;
		int oldCapacity = capacity;
		capacity *= 2;
		skbs = new long[capacity + 1];
		positions = new int[capacity + 1];
		kernelJourneys = new long[capacity + 1];
		frees = new int[capacity + 1];
		cpus = new int[capacity + 1];
		freedAt = new long[capacity + 1];
		for (int i = 0; i < oldCapacity; i++) {
			if (oldSkbs[i] != 0) {
				int slot = slotOf(oldSkbs[i]);
				skbs[slot] = oldSkbs[i];
				positions[slot] = oldPositions[i];
				kernelJourneys[slot] = oldJourneys[i];
				frees[slot] = oldFrees[i];
				cpus[slot] = oldCpus[i];
				freedAt[slot] = oldFreedAt[i];
			}
		}
		positions[capacity] = oldPositions[oldCapacity];
		kernelJourneys[capacity] = oldJourneys[oldCapacity];
		frees[capacity] = oldFrees[oldCapacity];
		cpus[capacity] = oldCpus[oldCapacity];
		freedAt[capacity] = oldFreedAt[oldCapacity];
	}
}
