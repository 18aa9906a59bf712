package io.tracepackets.samples.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this kernel has kprobe-multi: it is built on fprobe (CONFIG_FPROBE, 5.18+), whose
 * {@code register_fprobe} kallsyms lists. Debian's 6.1 kernel has none; Debian's 6.12 and
 * Ubuntu's 6.x have it. (The tracer's own refusal, with the kernel's errno, is tested in the
 * extension's BackendDetectionVmTest.)
 */
final class KprobeMultiSupport {

	private static Boolean available;

	private KprobeMultiSupport() {
	}

	/** For {@code @EnabledIf}. */
	static synchronized boolean available() {
		if (available == null) {
			try (var lines = Files.lines(Path.of("/proc/kallsyms"))) {
				available = lines.anyMatch(line -> line.endsWith(" register_fprobe"));
			} catch (IOException e) {
				// not a reason to disable the class quietly: an unreadable kallsyms is an error
				throw new UncheckedIOException("cannot tell whether this kernel has kprobe-multi", e);
			}
		}
		return available;
	}
}
