package io.tracepackets.samples.vm;

import io.tracepackets.Backend;
import io.tracepackets.TracePackets;

/** The veth path, seen through one kprobe per function. */
@TracePackets(backend = Backend.KPROBE, functions = VethFunctionPathTest.FUNCTIONS)
class KprobeVethPathTest extends VethFunctionPathTest {
}
