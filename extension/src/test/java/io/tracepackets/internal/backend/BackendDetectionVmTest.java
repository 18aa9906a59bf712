package io.tracepackets.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.Backend;
import io.tracepackets.KernelTest;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.session.TraceSession;
import io.tracepackets.internal.session.TracerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the detection says: on Debian's 6.1 kernel kprobe-multi is refused (no CONFIG_FPROBE), so
 * AUTO settles on fentry; on a kernel with fprobe, AUTO takes kprobe-multi. Prints the suite's
 * summary line for an unavailable kprobe-multi.
 */
@KernelTest
@Tag("kernel-vm")
class BackendDetectionVmTest {

	private static Optional<String> kprobeMultiRefusal;

	/** Empty when kprobe-multi attaches here; else the tracer's reason. Asked once, by attaching. */
	static synchronized Optional<String> kprobeMultiRefusal() {
		if (kprobeMultiRefusal == null) {
			TracerOptions options = TracerOptions.defaults().withBackend(Backend.KPROBE_MULTI,
					TracerOptions.functionPattern("^ip_rcv$"));
			try (TraceSession session = TraceSession.start(options)) {
				kprobeMultiRefusal = Optional.empty();
			} catch (TracingUnavailableException e) {
				kprobeMultiRefusal = Optional.of(e.reason());
			}
		}
		return kprobeMultiRefusal;
	}

	@Test
	void kprobe_multi_is_refused_with_the_kernels_reason_or_attaches() throws IOException {
		// kprobe-multi is built on fprobe: where kallsyms lists register_fprobe it must attach, elsewhere
		// (Debian's 6.1) it must be refused with the kernel's reason; either way something is asserted
		if (kernelHasFprobe()) {
			assertThat(kprobeMultiRefusal()).as("kprobe-multi on a kernel with fprobe").isEmpty();
		} else {
			assertThat(kprobeMultiRefusal()).as("kprobe-multi on a kernel without fprobe").isPresent();
			String reason = kprobeMultiRefusal().orElseThrow();
			System.out.println("backend=kprobe-multi unavailable: " + reason);
			assertThat(reason).containsAnyOf("EOPNOTSUPP", "ENOTSUPP", "EINVAL", "ENOENT");
			if (debian61()) {
				assertThat(reason).contains("EOPNOTSUPP").contains("CONFIG_FPROBE");
			}
		}
	}

	@Test
	void auto_takes_the_best_backend_and_says_why_better_ones_were_refused() throws IOException {
		TracerOptions options = TracerOptions.defaults().withBackend(Backend.AUTO,
				TracerOptions.functionPattern("^ip_rcv$"));
		try (TraceSession context = TraceSession.start(options)) {
			assertThat(context.catalog().observes("ip_rcv")).isTrue();
			if (kprobeMultiRefusal().isEmpty()) {
				assertThat(context.catalog().backend()).isEqualTo("kprobe-multi");
			} else {
				assertThat(context.catalog().backend()).isIn("fentry", "kprobe");
				assertThat(context.catalog().backendReason()).contains("kprobe-multi refused");
			}
			if (debian61()) {
				assertThat(context.catalog().backend()).isEqualTo("fentry");
			}
		}
	}

	@Test
	void fentry_keeps_tracing_when_a_function_has_more_arguments_than_trampolines_take() throws IOException {
		// __inet_lookup_listener takes 10 arguments, the skb third: alone at its position, so its
		// template must come from elsewhere. x86 trampolines take up to 6 arguments before 6.6 (the
		// kernel refuses the attach) and up to 12 since: asserted on both sides of that line.
		TracerOptions options = TracerOptions.defaults().withBackend(Backend.FENTRY,
				TracerOptions.functionPattern("^(ip_rcv|__inet_lookup_listener)$"));
		try (TraceSession context = TraceSession.start(options)) {
			assertThat(context.catalog().observes("ip_rcv")).isTrue();
			if (kernelAtLeast(6, 6)) {
				assertThat(context.catalog().observes("__inet_lookup_listener"))
						.as(context.catalog().whyNotObserved("__inet_lookup_listener")).isTrue();
			} else {
				assertThat(context.catalog().observes("__inet_lookup_listener")).isFalse();
				assertThat(context.catalog().whyNotObserved("__inet_lookup_listener"))
						.contains("attaching its probe failed").contains("takes 10 arguments");
			}
		}
	}

	/** Where kprobe-multi can exist: fprobe (CONFIG_FPROBE) puts register_fprobe in kallsyms. */
	private static boolean kernelHasFprobe() throws IOException {
		try (var lines = Files.lines(Path.of("/proc/kallsyms"))) {
			return lines.anyMatch(line -> line.endsWith(" register_fprobe"));
		}
	}

	private static boolean kernelAtLeast(int major, int minor) throws IOException {
		String[] release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip().split("[.-]");
		int actualMajor = Integer.parseInt(release[0]);
		return actualMajor > major || actualMajor == major && Integer.parseInt(release[1]) >= minor;
	}

	private static boolean debian61() throws IOException {
		return Files.readString(Path.of("/proc/sys/kernel/osrelease")).startsWith("6.1.0-");
	}
}
