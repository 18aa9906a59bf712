package io.tracepackets.samples.vm;

import io.tracepackets.Backend;
import io.tracepackets.TracePackets;

/** Return values with kprobe keeps the skb's event, kretprobe writes it with the value. */
@TracePackets(backend = Backend.KPROBE, functions = ReturnValuesVmTest.FUNCTIONS)
class KprobeReturnValuesTest extends ReturnValuesVmTest {
}
