package io.tracepackets.samples.vm;

import io.tracepackets.Backend;
import io.tracepackets.TracePackets;

/** Return values with BPF trampolines: fentry keeps the skb's event, fexit writes it with the value. */
@TracePackets(backend = Backend.FENTRY, functions = ReturnValuesVmTest.FUNCTIONS)
class FentryReturnValuesTest extends ReturnValuesVmTest {
}
