package io.tracepackets.samples.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the veth driver's functions can be probed: TracePackets finds the functions taking an
 * skb by their BTF prototypes, which a module has only on kernels with
 * CONFIG_DEBUG_INFO_BTF_MODULES (5.11+; Debian's 6.1 and 6.12 have it, Debian 11's 5.10 has not).
 */
final class ModuleBtf {

	private static Boolean veth;

	private ModuleBtf() {
	}

	/** For {@code @EnabledIf}: veth_xmit is in vmlinux, or the loaded veth module has BTF. */
	static synchronized boolean veth() {
		if (veth == null) {
			try {
				// The veth pairs of the tests load the module anyway; loaded here, its BTF can be asked.
				new ProcessBuilder("modprobe", "veth").inheritIO().start().waitFor();
				try (var lines = Files.lines(Path.of("/proc/kallsyms"))) {
					String line = lines.filter(l -> l.matches("\\S+ \\S (veth_xmit)(\\s.*)?")).findFirst()
							.orElseThrow(() -> new IllegalStateException("the kernel has no veth_xmit: no veth driver"));
					veth = !line.contains("[veth]") || Files.exists(Path.of("/sys/kernel/btf/veth"));
				}
			} catch (IOException e) {
				throw new UncheckedIOException("cannot tell whether the veth driver has BTF", e);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted while loading veth", e);
			}
		}
		return veth;
	}
}
