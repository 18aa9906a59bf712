package io.tracepackets.internal.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.tracepackets.internal.libbpf.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** One map of a {@link BpfObject}. Sizing works before load; element access after. */
public final class BpfMap {

	/** BPF_ANY: create or update. */
	public static final long ANY = 0;

	private final MemorySegment map;
	private final String name;
	private int fd = -1;

	BpfMap(MemorySegment map, String name) {
		this.map = map;
		this.name = name;
	}

	public String name() {
		return name;
	}

	public void setMaxEntries(int maxEntries) {
		LibBpf.setMaxEntries(map, maxEntries, name);
	}

	/** Before load: a global-data map's content, e.g. the value of a {@code const volatile} in its own section. */
	public void setInitialValue(MemorySegment value) {
		LibBpf.setInitialValue(map, value, name);
	}

	/** Before load: share {@code other}'s kernel map instead of creating one. */
	public void reuse(BpfMap other) {
		LibBpf.reuseMapFd(map, other.fd(), name);
	}

	public int fd() {
		if (fd < 0) {
			fd = LibBpf.mapFd(map, name);
		}
		return fd;
	}

	public void update(MemorySegment key, MemorySegment value) {
		LibBpf.mapUpdate(fd(), key, value, ANY, name);
	}

	/** @return false when the key is absent */
	public boolean lookup(MemorySegment key, MemorySegment value) {
		return LibBpf.mapLookup(fd(), key, value, name);
	}

	/** @return false when the key was absent */
	public boolean delete(MemorySegment key) {
		return LibBpf.mapDelete(fd(), key, name);
	}

	/** One step of a batch read: see {@link LibBpf#mapLookupBatch}. */
	public boolean lookupBatch(MemorySegment inBatch, MemorySegment outBatch, MemorySegment keys, MemorySegment values,
			MemorySegment count) {
		return LibBpf.mapLookupBatch(fd(), inBatch, outBatch, keys, values, count, name);
	}

	/** Deletes {@code count} keys at once: see {@link LibBpf#mapDeleteBatch}. */
	public void deleteBatch(MemorySegment keys, MemorySegment count) {
		LibBpf.mapDeleteBatch(fd(), keys, count, name);
	}

	/** For maps keyed by a u32: sets {@code value} at {@code key}. */
	public void put(int key, MemorySegment value) {
		try (Arena arena = Arena.ofConfined()) {
			update(arena.allocateFrom(JAVA_INT, key), value);
		}
	}

	/** For per-CPU arrays of u64 keyed by a u32: the sum over all possible CPUs. */
	public long sumPerCpu(int key) {
		try (Arena arena = Arena.ofConfined()) {
			int cpus = LibBpf.possibleCpus();
			MemorySegment values = arena.allocate(JAVA_LONG, cpus);
			if (!lookup(arena.allocateFrom(JAVA_INT, key), values)) {
				return 0;
			}
			long sum = 0;
			for (int cpu = 0; cpu < cpus; cpu++) {
				sum += values.getAtIndex(JAVA_LONG, cpu);
			}
			return sum;
		}
	}
}
