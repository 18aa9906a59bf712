package io.tracepackets.samples.vm;

import io.tracepackets.Backend;
import io.tracepackets.TracePackets;

/** The veth path, seen through BPF trampolines (fentry). */
@TracePackets(backend = Backend.FENTRY, functions = VethFunctionPathTest.FUNCTIONS)
class FentryVethPathTest extends VethFunctionPathTest {
}
