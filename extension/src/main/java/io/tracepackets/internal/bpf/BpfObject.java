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
		try (InputStream in = BpfObject.class.getClassLoader().getResourceAsStream(resource)) {
			if (in == null) {
				throw new TracePacketsException("BPF object " + resource + " is not on the classpath: the jar was "
						+ "built without clang. Rebuild with clang, llvm and libbpf-dev installed (./tp setup).");
			}
			return new BpfObject(name, rewrite.apply(in.readAllBytes()));
		} catch (IOException e) {
			throw new TracePacketsException("read BPF object " + resource + ": " + e.getMessage(), e);
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
