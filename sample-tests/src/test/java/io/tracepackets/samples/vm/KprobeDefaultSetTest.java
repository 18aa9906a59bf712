package io.tracepackets.samples.vm;

import io.tracepackets.Backend;
import io.tracepackets.TracePackets;

/**
 * The veth path with the default function set, as users run it: every function of the kernel
 * that takes an skb (about 1,500), through one kprobe per function.
 */
@TracePackets(backend = Backend.KPROBE)
class KprobeDefaultSetTest extends VethFunctionPathTest {
}
