package io.tracepackets.internal.tracer;

import io.tracepackets.TracingUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks, before touching BPF, that this process and kernel can trace at all, with reasons. */
final class KernelCapabilities {

	private static final int CAP_NET_ADMIN = 12;
	private static final int CAP_SYS_ADMIN = 21;
	private static final int CAP_PERFMON = 38;
	private static final int CAP_BPF = 39;

	private KernelCapabilities() {
	}

	static void requireTracing() {
		String os = System.getProperty("os.name", "");
		if (!os.toLowerCase().contains("linux")) {
			throw new TracingUnavailableException("eBPF tracing", "this is " + os + ": TracePackets needs Linux");
		}
		if (!Files.isReadable(Path.of("/sys/kernel/btf/vmlinux"))) {
			throw new TracingUnavailableException("BTF", "/sys/kernel/btf/vmlinux is missing: the kernel must be "
					+ "built with CONFIG_DEBUG_INFO_BTF=y (Ubuntu and Debian kernels since 5.4 are)");
		}
		long effective = effectiveCapabilities();
		boolean bpf = has(effective, CAP_SYS_ADMIN) || (has(effective, CAP_BPF) && has(effective, CAP_PERFMON));
		if (!bpf) {
			throw new TracingUnavailableException("BPF privileges", "this process lacks CAP_BPF+CAP_PERFMON (or "
					+ "CAP_SYS_ADMIN): run the tests as root (sudo -E mvn test), or in a privileged container");
		}
		if (!has(effective, CAP_NET_ADMIN) || !has(effective, CAP_SYS_ADMIN)) {
			throw new TracingUnavailableException("namespace privileges", "this process lacks CAP_SYS_ADMIN and "
					+ "CAP_NET_ADMIN, needed to enter containers' network namespaces: run the tests as root");
		}
	}

	private static boolean has(long capabilities, int capability) {
		return (capabilities & (1L << capability)) != 0;
	}

	private static long effectiveCapabilities() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
				if (line.startsWith("CapEff:")) {
					return Long.parseUnsignedLong(line.substring(7).strip(), 16);
				}
			}
		} catch (IOException e) {
			throw new TracingUnavailableException("BPF privileges", "cannot read /proc/self/status: " + e.getMessage());
		}
		return 0;
	}
}
