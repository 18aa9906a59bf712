package io.tracepackets.samples.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.tracepackets.Backend;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.trace.TraceContext;
import io.tracepackets.internal.tracer.TracerOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the detection says on Debian's 6.1 kernel: kprobe-multi is refused (no CONFIG_FPROBE), so
 * AUTO settles on fentry. Prints the suite's summary line for kprobe-multi.
 */
@Tag(VethFunctionPathTest.TAG)
class BackendDetectionVmTest {

	@Test
	void kprobe_multi_is_refused_for_lack_of_fprobe() {
		TracerOptions options = TracerOptions.defaults().withBackend(Backend.KPROBE_MULTI,
				TracerOptions.functionPattern("^ip_rcv$"));
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> TraceContext.start(options).close())
				.satisfies(e -> System.out.println("backend=kprobe-multi unavailable: "
						+ e.getMessage().substring(e.getMessage().indexOf("unavailable: ") + 13)))
				.withMessageContaining("EOPNOTSUPP")
				.withMessageContaining("CONFIG_FPROBE");
	}

	@Test
	void auto_chooses_fentry_and_says_why_kprobe_multi_was_refused() {
		TracerOptions options = TracerOptions.defaults().withBackend(Backend.AUTO,
				TracerOptions.functionPattern("^ip_rcv$"));
		try (TraceContext context = TraceContext.start(options)) {
			assertThat(context.catalog().backend()).isEqualTo("fentry");
			assertThat(context.catalog().backendReason()).contains("kprobe-multi refused").contains("CONFIG_FPROBE");
			assertThat(context.catalog().observes("ip_rcv")).isTrue();
		}
	}
}
