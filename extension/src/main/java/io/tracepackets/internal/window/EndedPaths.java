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

	/**
	 * The slots of the table, a power of two; one more in each column, for address 0. Columns in
	 * pages ({@link LongColumn}): as arrays, each was a humongous object, copied at each growth.
	 */
	private int capacity = 64;
	private LongColumn skbs = new LongColumn();
	private IntColumn positions = new IntColumn();
	private LongColumn kernelJourneys = new LongColumn();
	private IntColumn frees = new IntColumn();
	private IntColumn cpus = new IntColumn();
	private LongColumn freedAt = new LongColumn();
	private boolean hasZero;
	private int size;

	/** The slot of the path that last ended at {@code skb}, or -1. */
	int find(long skb) {
		if (skb == 0) {
			return hasZero ? capacity : -1;
		}
		int slot = slotOf(skb);
		return skbs.getOrZero(slot) == skb ? slot : -1;
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
		if (skb != 0 && skbs.getOrZero(slot) != skb) {
			if ((size + 1) * 4L > capacity * 3L) {
				grow();
				slot = slotOf(skb);
			}
			skbs.set(slot, skb);
			size++;
		}
		positions.set(slot, position);
		kernelJourneys.set(slot, kernelJourney);
		frees.set(slot, free);
		cpus.set(slot, cpu);
		freedAt.set(slot, nanos);
	}

	/** The place in the trace of the path in {@code slot}. */
	int position(int slot) {
		return positions.get(slot);
	}

	/** The id the kernel gave the events of the path in {@code slot} last (0: none). */
	long kernelJourney(int slot) {
		return kernelJourneys.get(slot);
	}

	/** The index of the free that ended the path in {@code slot}. */
	int free(int slot) {
		return frees.get(slot);
	}

	int cpu(int slot) {
		return cpus.get(slot);
	}

	long freedAtNanos(int slot) {
		return freedAt.get(slot);
	}

	private int slotOf(long skb) {
		return LongKeyedMap.slotIn(skbs, capacity, skb);
	}

	private void grow() {
		LongColumn oldSkbs = skbs;
		IntColumn oldPositions = positions;
		LongColumn oldJourneys = kernelJourneys;
		IntColumn oldFrees = frees;
		IntColumn oldCpus = cpus;
		LongColumn oldFreedAt = freedAt;
		int oldCapacity = capacity;
		capacity *= 2;
		skbs = new LongColumn();
		positions = new IntColumn();
		kernelJourneys = new LongColumn();
		frees = new IntColumn();
		cpus = new IntColumn();
		freedAt = new LongColumn();
		for (int i = 0; i <= oldCapacity; i++) {
			long skb = oldSkbs.getOrZero(i);
			boolean zero = i == oldCapacity;
			if (skb != 0 || zero && hasZero) {
				int slot = zero ? capacity : slotOf(skb);
				if (!zero) {
					skbs.set(slot, skb);
				}
				positions.set(slot, oldPositions.getOrZero(i));
				kernelJourneys.set(slot, oldJourneys.getOrZero(i));
				frees.set(slot, oldFrees.getOrZero(i));
				cpus.set(slot, oldCpus.getOrZero(i));
				freedAt.set(slot, oldFreedAt.getOrZero(i));
			}
		}
	}
}
