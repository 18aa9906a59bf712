package io.tracepackets.samples.vm;

import io.tracepackets.Backend;
import io.tracepackets.TracePackets;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The veth path through kprobe-multi links, where the kernel has them. Where it does not, the
 * suite reports {@code backend=kprobe-multi unavailable: <reason>} (see BackendDetectionVmTest).
 */
@EnabledIf("io.tracepackets.samples.vm.KprobeMultiSupport#available")
@TracePackets(backend = Backend.KPROBE_MULTI, functions = VethFunctionPathTest.FUNCTIONS)
class KprobeMultiVethPathTest extends VethFunctionPathTest {
}
