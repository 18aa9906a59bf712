package io.tracepackets.assertj;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static io.tracepackets.assertj.TracedPackets.delivered;
import static io.tracepackets.assertj.TracedPackets.trace;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;

/** A trace with nothing in scope fails every assertion, the negative ones above all, at once. */
class PacketsAssert_emptyScope_Test {

	static Stream<Arguments> assertions() {
		return Stream.of(
				assertion("areNone()", trace -> assertThat(trace).packets(udp().dstPort(9000)).areNone()),
				assertion("hasCount(0)", trace -> assertThat(trace).packets(udp().dstPort(9000)).hasCount(0)),
				assertion("wereNotDropped()", trace -> assertThat(trace).packets(udp()).wereNotDropped()),
				assertion("neverReached()", trace -> assertThat(trace).packets(udp()).neverReached("udp_rcv")),
				assertion("wereDropped()", trace -> assertThat(trace).packets(udp()).wereDropped()),
				assertion("allPackets().areNone()", trace -> assertThat(trace).allPackets().areNone()),
				assertion("journeys().hasCount(0)", trace -> assertThat(trace).journeys(udp()).hasCount(0)));
	}

	private static Arguments assertion(String name, Consumer<FakePacketTrace> assertion) {
		return Arguments.of(Named.of(name, assertion));
	}

	@ParameterizedTest
	@MethodSource("assertions")
	void should_fail_on_a_trace_with_nothing_in_scope(Consumer<FakePacketTrace> assertion) {
		// GIVEN the extension found no container to scope; the test holds one it did not take
		FakePacketTrace trace = trace(delivered()).withNothingInScope(FakePacketTrace.fieldNotAnnotated("netbox", "GenericContainer", "MyTest"));

		// WHEN / THEN
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> assertion.accept(trace))
				.withMessageContaining("nothing is in scope")
				.withMessageContaining("field netbox (GenericContainer) of MyTest");
	}

	@Test
	void should_pass_a_negative_assertion_when_every_namespace_is_in_scope() {
		// GIVEN @TracePackets(allNamespaces = true): no namespace listed, yet everything in scope
		FakePacketTrace trace = trace(delivered()).withNothingInScope().everyNamespace();

		// WHEN / THEN
		assertThatNoException().isThrownBy(() -> assertThat(trace).packets(udp().dstPort(9999)).areNone());
	}
}
