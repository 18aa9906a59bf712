package io.tracepackets.samples.vm;

import io.tracepackets.Backend;
import io.tracepackets.TracePackets;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The veth path with the default function set, as users run it: every function of the kernel
 * that takes an skb (about 1,500), through one kprobe-multi link per argument position.
 */
@EnabledIf("io.tracepackets.samples.vm.KprobeMultiSupport#available")
@TracePackets(backend = Backend.KPROBE_MULTI)
class KprobeMultiDefaultSetTest extends VethFunctionPathTest {
}
