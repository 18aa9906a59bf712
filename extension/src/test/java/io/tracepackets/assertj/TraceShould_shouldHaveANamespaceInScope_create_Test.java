package io.tracepackets.assertj;

import static io.tracepackets.assertj.TracedPackets.trace;
import static io.tracepackets.assertj.error.TraceShould.shouldHaveANamespaceInScope;
import static org.assertj.core.api.BDDAssertions.then;
import static org.assertj.core.presentation.StandardRepresentation.STANDARD_REPRESENTATION;

import org.assertj.core.description.TextDescription;
import org.junit.jupiter.api.Test;

class TraceShould_shouldHaveANamespaceInScope_create_Test {

	@Test
	void should_create_error_message_naming_the_containers_left_out_and_how_to_scope() {
		// GIVEN
		FakePacketTrace trace = trace().withNothingInScope(FakePacketTrace.fieldNotAnnotated("web", "GenericContainer", "WebTest"));

		// WHEN
		String message = shouldHaveANamespaceInScope(trace).create(new TextDescription("Test"), STANDARD_REPRESENTATION);

		// THEN
		then(message).isEqualTo("""
				[Test]\s
				Expecting the trace to be scoped to at least one network namespace, but nothing is in scope:
				no packet could match, so no assertion on this trace can tell anything, negative ones least of all.
				The test holds containers that are not in scope:
				  field web (GenericContainer) of WebTest, not annotated @Container
				Scope it: annotate a container field @Container (Testcontainers), name fields in @TracePackets(containers = "..."), \
				call trace.scope(container), trace.scope(Path.of("/run/netns/<name>")) or trace.scopeHostNetwork(), \
				or set @TracePackets(hostNetwork = true) or (allNamespaces = true).""");
	}

	@Test
	void should_say_when_the_test_holds_no_container() {
		// GIVEN
		FakePacketTrace trace = trace().withNothingInScope();

		// WHEN
		String message = shouldHaveANamespaceInScope(trace).create(new TextDescription("Test"), STANDARD_REPRESENTATION);

		// THEN
		then(message).contains("nothing is in scope").contains("The test holds no container that could be scoped.");
	}
}
