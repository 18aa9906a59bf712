package io.tracepackets.internal.btf;

import io.tracepackets.TracingUnavailableException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Where the running kernel publishes its BTF ({@code /sys/kernel/btf}), and how to read it. */
final class KernelBtfFiles {

	static final KernelBtfFiles DEFAULT = new KernelBtfFiles(Path.of("/sys/kernel/btf"));

	private static final String VMLINUX = "vmlinux";

	private final Path directory;

	KernelBtfFiles(Path directory) {
		this.directory = directory;
	}

	/** The running kernel's BTF cannot change while it runs: parsed once, shared by every reader. */
	private volatile Btf vmlinux;

	Btf vmlinux() {
		Btf parsed = vmlinux;
		if (parsed == null) {
			parsed = vmlinux = parseVmlinux();
		}
		return parsed;
	}

	private Btf parseVmlinux() {
		Path file = directory.resolve(VMLINUX);
		try {
			return Btf.parseOwned(Files.readAllBytes(file), null, null);
		} catch (NoSuchFileException e) {
			throw new TracingUnavailableException("BTF", "no " + file
					+ ": the kernel needs CONFIG_DEBUG_INFO_BTF=y (most distribution kernels since 5.4 have it);"
					+ " boot a kernel built with it", e);
		} catch (AccessDeniedException e) {
			throw new TracingUnavailableException("BTF", "cannot read " + file + " (permission denied): run as root", e);
		} catch (IOException e) {
			throw new UncheckedIOException("cannot read " + file, e);
		}
	}

	List<SkbFunction> skbFunctions(Pattern nameFilter, boolean includeModules) {
		Btf vmlinux = vmlinux();
		List<SkbFunction> found = new ArrayList<>(vmlinux.skbFunctions(nameFilter));
		if (includeModules) {
			for (Path moduleFile : moduleFiles()) {
				byte[] data;
				try {
					data = Files.readAllBytes(moduleFile);
				} catch (NoSuchFileException e) {
					continue; // unloaded since the listing: nothing of it left to probe
				} catch (IOException e) {
					throw new UncheckedIOException("cannot read " + moduleFile, e);
				}
				String module = moduleFile.getFileName().toString();
				found.addAll(Btf.parseOwned(data, vmlinux, module).skbFunctions(nameFilter));
			}
		}
		return List.copyOf(found);
	}

	/** Module BTF files, sorted by module name so results come out in a stable order. */
	private List<Path> moduleFiles() {
		try (Stream<Path> files = Files.list(directory)) {
			return files.filter(f -> !f.getFileName().toString().equals(VMLINUX)).sorted().toList();
		} catch (IOException e) {
			throw new UncheckedIOException("cannot list " + directory, e);
		}
	}
}
