package io.tracepackets.internal.bpf;

import io.tracepackets.TracePacketsException;
import io.tracepackets.internal.libbpf.LibBpf;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A BPF ELF object opened by libbpf from a classpath resource: configure (map sizes, which
 * programs load), {@link #load()}, then use its programs and maps. Closing frees every kernel
 * object it created; links made from its programs must be closed first.
 */
public final class BpfObject implements AutoCloseable {

	private final String name;
	private final Arena arena = Arena.ofShared();
	private final MemorySegment object;
	private final List<BpfProgram> programs = new ArrayList<>();
	private boolean loaded;
	private boolean closed;

	private BpfObject(String name, byte[] elf) {
		this.name = name;
		try {
			MemorySegment image = arena.allocate(elf.length, 8);
			MemorySegment.copy(MemorySegment.ofArray(elf), 0, image, 0, elf.length);
			this.object = LibBpf.openObject(image, name, arena);
		} catch (RuntimeException | Error e) {
			arena.close();
			throw e;
		}
	}

	/** Opens the object stored as a resource next to {@code anchor}'s package root. */
	public static BpfObject openResource(String resource, String name) {
		return openResource(resource, name, java.util.function.UnaryOperator.identity());
	}

	/** Opens the resource after {@code rewrite} changed its bytes (e.g. wrote a filter into a placeholder). */
	public static BpfObject openResource(String resource, String name, java.util.function.UnaryOperator<byte[]> rewrite) {
		return open(name, rewrite.apply(readResource(resource)));
	}

	/**
	 * The bytes of each object read so far: a session's probes are ~2 MB that a compressed jar
	 * inflates in milliseconds, and a JVM starts a session per configuration. Softly held: the
	 * heap takes them back when it needs to. Callers get a copy.
	 */
	private static final java.util.Map<String, java.lang.ref.SoftReference<byte[]>> READ =
			new java.util.concurrent.ConcurrentHashMap<>();

	/** The bytes of the object stored as {@code resource} (a copy the caller may change). */
	public static byte[] readResource(String resource) {
		java.lang.ref.SoftReference<byte[]> cached = READ.get(resource);
		byte[] bytes = cached == null ? null : cached.get();
		if (bytes == null) {
			bytes = readResourceOnce(resource);
			READ.put(resource, new java.lang.ref.SoftReference<>(bytes));
		}
		return bytes.clone();
	}

	private static byte[] readResourceOnce(String resource) {
		try (InputStream in = BpfObject.class.getClassLoader().getResourceAsStream(resource)) {
			if (in == null) {
				throw new TracePacketsException("BPF object " + resource + " is not on the classpath: the jar was "
						+ "built without clang. Rebuild with clang, llvm and libbpf-dev installed (./tp setup).");
			}
			return in.readAllBytes();
		} catch (IOException e) {
			throw new TracePacketsException("read BPF object " + resource + ": " + e.getMessage(), e);
		}
	}

	/** Opens the object whose ELF bytes are {@code elf} (copied: the array may be reused). */
	public static BpfObject open(String name, byte[] elf) {
		return new BpfObject(name, elf);
	}

	/**
	 * Before load: makes every map of this object the same kernel map as {@code other}'s (loaded),
	 * which was opened from the same bytes under the same name, so that the maps pair up in order:
	 * its programs then read and write {@code other}'s maps, global data included.
	 */
	public void reuseEveryMapOf(BpfObject other) {
		List<MemorySegment> mine = LibBpf.maps(object);
		List<MemorySegment> theirs = LibBpf.maps(other.object);
		if (mine.size() != theirs.size()) {
			throw new IllegalArgumentException("BPF object " + name + " has " + mine.size() + " maps, " + other.name
					+ " " + theirs.size() + ": not opened from the same bytes");
		}
		for (int i = 0; i < mine.size(); i++) {
			String mapName = LibBpf.mapName(mine.get(i));
			if (!mapName.equals(LibBpf.mapName(theirs.get(i)))) {
				throw new IllegalArgumentException("BPF object " + name + "'s map " + i + " is " + mapName + ", "
						+ other.name + "'s " + LibBpf.mapName(theirs.get(i)) + ": not opened from the same bytes");
			}
			LibBpf.reuseMapFd(mine.get(i), LibBpf.mapFd(theirs.get(i), mapName), mapName);
		}
	}

	public String name() {
		return name;
	}

	public BpfMap map(String mapName) {
		MemorySegment map = LibBpf.findMap(object, mapName);
		if (map.equals(MemorySegment.NULL)) {
			throw new IllegalArgumentException("BPF object " + name + " has no map " + mapName);
		}
		return new BpfMap(map, mapName);
	}

	public BpfProgram program(String programName) {
		MemorySegment program = LibBpf.findProgram(object, programName);
		if (program.equals(MemorySegment.NULL)) {
			throw new IllegalArgumentException("BPF object " + name + " has no program " + programName);
		}
		BpfProgram wrapped = new BpfProgram(program, programName);
		programs.add(wrapped);
		return wrapped;
	}

	/** Names of all programs in the object. */
	public List<String> programNames() {
		return LibBpf.programNames(object);
	}

	/** Before load: loads only the named programs. */
	public void autoloadOnly(java.util.Collection<String> programNames) {
		for (String programName : programNames()) {
			program(programName).setAutoload(programNames.contains(programName));
		}
	}

	/** Verifies and loads every autoloaded program and creates the maps. */
	public void load() {
		if (loaded) {
			throw new IllegalStateException("BPF object " + name + " is already loaded");
		}
		LibBpf.loadObject(object, "BPF object " + name);
		loaded = true;
	}

	public boolean isLoaded() {
		return loaded;
	}

	@Override
	public synchronized void close() {
		if (closed) {
			return;
		}
		closed = true;
		LibBpf.closeObject(object);
		arena.close();
	}
}
