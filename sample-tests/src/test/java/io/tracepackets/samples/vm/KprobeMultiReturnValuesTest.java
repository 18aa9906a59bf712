package io.tracepackets.samples.vm;

import io.tracepackets.Backend;
import io.tracepackets.TracePackets;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Return values with the kprobe-multi backend, whose return programs are kprobe/kretprobe pairs
 * as its copy programs are. Where the kernel lacks kprobe-multi (Debian's 6.1) the class does not
 * run and the suite says {@code backend=kprobe-multi unavailable: <reason>} (BackendDetectionVmTest).
 */
@EnabledIf("io.tracepackets.samples.vm.KprobeMultiSupport#available")
@TracePackets(backend = Backend.KPROBE_MULTI, functions = ReturnValuesVmTest.FUNCTIONS)
class KprobeMultiReturnValuesTest extends ReturnValuesVmTest {
}
