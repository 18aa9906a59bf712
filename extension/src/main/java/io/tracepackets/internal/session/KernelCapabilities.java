package io.tracepackets.internal.session;

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

	/**
	 * Whether a session of this JVM passed the checks: the next ones skip them (a few ms of file
	 * reads each). A process does not gain what it lacked; one that drops a privilege later gets
	 * the load's refusal, which says the same (ProbeObject#loadExplained).
	 */
	private static volatile boolean passed;

	private KernelCapabilities() {
	}

	static void requireTracing() {
		if (passed) {
			return;
		}
		requireLinux(System.getProperty("os.name", ""));
		requireBtf(Files.isReadable(Path.of("/sys/kernel/btf/vmlinux")));
		requirePrivileges(effectiveCapabilities());
		requireLibbpf();
		passed = true;
	}

	/** {@code os}: the JVM's {@code os.name}. */
	static void requireLinux(String os) {
		if (!os.toLowerCase().contains("linux")) {
			throw new TracingUnavailableException("eBPF tracing", "this is " + os + ": TracePackets needs Linux");
		}
	}

	/** {@code readable}: whether /sys/kernel/btf/vmlinux can be read. */
	static void requireBtf(boolean readable) {
		if (!readable) {
			throw new TracingUnavailableException("BTF", "/sys/kernel/btf/vmlinux is missing: the kernel must be "
					+ "built with CONFIG_DEBUG_INFO_BTF=y (Ubuntu and Debian kernels since 5.4 are)");
		}
	}

	/** {@code effective}: the process's effective capabilities, a bit per capability (CapEff of /proc/self/status). */
	static void requirePrivileges(long effective) {
		java.util.List<String> missing = new java.util.ArrayList<>();
		// CAP_SYS_ADMIN covers BPF tracing too; it is needed anyway to enter network namespaces.
		if (!has(effective, CAP_SYS_ADMIN)) {
			missing.add("CAP_SYS_ADMIN");
			if (!has(effective, CAP_BPF)) {
				missing.add("CAP_BPF");
			}
			if (!has(effective, CAP_PERFMON)) {
				missing.add("CAP_PERFMON");
			}
		}
		if (!has(effective, CAP_NET_ADMIN)) {
			missing.add("CAP_NET_ADMIN");
		}
		if (!missing.isEmpty()) {
			throw new TracingUnavailableException("privileges", "this process lacks " + String.join(", ", missing)
					+ " (tracing needs BPF, and entering containers' network namespaces needs CAP_SYS_ADMIN): run the"
					+ " tests as root (sudo -E mvn test), or in a privileged container");
		}
	}

	/** libbpf.so.1 is loaded by a static initializer: check first, so its absence is a reason, not an Error. */
	private static void requireLibbpf() {
		try {
			java.lang.foreign.SymbolLookup.libraryLookup("libbpf.so.1", java.lang.foreign.Arena.global());
		} catch (IllegalArgumentException e) {
			throw new TracingUnavailableException("libbpf", "libbpf.so.1 not found: install libbpf 1.x "
					+ "(Debian/Ubuntu: apt-get install libbpf1)", e);
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
