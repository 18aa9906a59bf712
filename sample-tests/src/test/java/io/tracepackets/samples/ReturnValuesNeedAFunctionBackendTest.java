package io.tracepackets.samples;

import static io.tracepackets.KernelErrno.EPERM;
import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.tracepackets.Backend;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.samples.support.VethNamespacesPerTest;
import io.tracepackets.testing.VethNamespaces;
import io.tracepackets.traffic.Traffic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Return values come from function probes (fexit, kretprobe): on the tracepoint backend, which
 * kernels without kprobes or fentry fall back to, an assertion on one says why it cannot answer
 * instead of failing as if the function had returned something else. The backends that record
 * them run in the kernel VM (vm/ReturnValuesVmTest).
 */
@KernelTest
@ExtendWith(VethNamespacesPerTest.class)
@TracePackets(backend = Backend.TRACEPOINT)
class ReturnValuesNeedAFunctionBackendTest {

	VethNamespaces network;

	@Test
	void a_return_value_assertion_on_the_tracepoint_backend_says_why_it_cannot_answer(PacketTrace trace) {
		// GIVEN both namespaces in scope
		trace.scope(network.leftPath()).scope(network.rightPath());

		// WHEN the left namespace sends to a port nothing listens on
		Traffic.fromNetnsPath(network.leftPath()).udp().to(network.rightAddress(), 7803).send(2);

		// THEN the packets are traced, but no event carries a return value, and asking for one is
		// refused with the reason (a skipped test, or a failed one in strict mode)
		assertThat(trace).packets(udp().dstPort(7803)).hasCount(2).wereDropped();
		assertThat(trace.events()).allSatisfy(event -> assertThat(event.returned()).isEmpty());
		assertThat(trace.probes().recordsReturnOf("nf_hook_slow")).isFalse();
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(7803)).returned("nf_hook_slow", -EPERM))
				.withMessageStartingWith("the return value of nf_hook_slow unavailable: the tracepoint backend probes no"
						+ " kernel function (return values need fentry/fexit, kprobe/kretprobe or kprobe-multi): ");
		assertThatExceptionOfType(TracingUnavailableException.class)
				.isThrownBy(() -> assertThat(trace).packets(udp().dstPort(7803)).returnedError("ip_route_input_noref"))
				.withMessageStartingWith("the return value of ip_route_input_noref unavailable: the tracepoint backend");
	}
}
