package io.tracepackets.samples.vm;

import io.tracepackets.Backend;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.trace.TraceContext;
import io.tracepackets.internal.tracer.TracerOptions;
import java.util.Optional;

/**
 * Whether this kernel accepts kprobe-multi, asked once per JVM the way the tracer asks: by
 * attaching for real. Debian's 6.1 kernel refuses it (no CONFIG_FPROBE); Ubuntu's 6.x accept it.
 */
final class KprobeMultiSupport {

	private static Optional<String> refusal;

	private KprobeMultiSupport() {
	}

	/** Empty when kprobe-multi attaches here; else the tracer's reason. */
	static synchronized Optional<String> refusal() {
		if (refusal == null) {
			TracerOptions options = TracerOptions.defaults().withBackend(Backend.KPROBE_MULTI,
					TracerOptions.functionPattern("^ip_rcv$"));
			try (TraceContext context = TraceContext.start(options)) {
				refusal = Optional.empty();
			} catch (TracingUnavailableException e) {
				refusal = Optional.of(e.getMessage().substring(e.getMessage().indexOf("unavailable: ") + 13));
			}
		}
		return refusal;
	}

	/** For {@code @EnabledIf}. */
	static boolean available() {
		return refusal().isEmpty();
	}
}
