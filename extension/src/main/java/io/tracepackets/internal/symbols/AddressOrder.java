package io.tracepackets.internal.symbols;

/**
 * Stable ordering of symbol indices by unsigned address, on primitives: kallsyms lists vmlinux
 * sorted but each module's symbols in its own order, and boxing 100k indices to sort them is slow.
 */
final class AddressOrder {

	private AddressOrder() {
	}

	/** Indices 0..count-1 ordered by {@code addresses[i]} (unsigned), equal addresses in index order. */
	static int[] sort(long[] addresses, int count) {
		int[] order = new int[count];
		boolean sorted = true;
		for (int i = 0; i < count; i++) {
			order[i] = i;
			sorted &= i == 0 || Long.compareUnsigned(addresses[i - 1], addresses[i]) <= 0;
		}
		if (sorted) {
			return order;
		}
		// Bottom-up merge sort: stable, so aliases keep the kernel's order (preferred name first).
		int[] buffer = new int[count];
		for (int width = 1; width < count; width *= 2) {
			for (int low = 0; low < count; low += 2 * width) {
				int mid = Math.min(low + width, count);
				int high = Math.min(low + 2 * width, count);
				int left = low;
				int right = mid;
				for (int out = low; out < high; out++) {
					if (left < mid && (right >= high || Long.compareUnsigned(addresses[order[left]], addresses[order[right]]) <= 0)) {
						buffer[out] = order[left++];
					} else {
						buffer[out] = order[right++];
					}
				}
			}
			int[] swap = order;
			order = buffer;
			buffer = swap;
		}
		return order;
	}
}
