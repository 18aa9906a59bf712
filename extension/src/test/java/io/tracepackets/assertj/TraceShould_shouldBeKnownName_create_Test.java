package io.tracepackets.assertj;

import static io.tracepackets.assertj.error.TraceShould.shouldBeKnownName;
import static org.assertj.core.api.BDDAssertions.then;
import static org.assertj.core.presentation.StandardRepresentation.STANDARD_REPRESENTATION;

import java.util.List;

import org.assertj.core.description.TextDescription;
import org.assertj.core.error.ErrorMessageFactory;
import org.junit.jupiter.api.Test;

class TraceShould_shouldBeKnownName_create_Test {

	@Test
	void should_create_error_message_listing_the_suggestions_nearest_first() {
		// GIVEN
		ErrorMessageFactory factory = shouldBeKnownName("ip_rvc", "kernel function or tracepoint",
				List.of("ip_rcv", "ip6_rcv", "ip_rcv_core"));

		// WHEN
		String message = factory.create(new TextDescription("Test"), STANDARD_REPRESENTATION);

		// THEN
		then(message).isEqualTo("""
				[Test]\s
				Expecting a kernel function or tracepoint, but the running kernel has none called:
				  ip_rvc
				Did you mean:
				  ip_rcv
				  ip6_rcv
				  ip_rcv_core""");
	}

	@Test
	void should_create_error_message_without_suggestions_when_nothing_is_near() {
		// GIVEN
		ErrorMessageFactory factory = shouldBeKnownName("SOMETHING_ELSE", "drop reason of this kernel", List.of());

		// WHEN
		String message = factory.create(new TextDescription("Test"), STANDARD_REPRESENTATION);

		// THEN
		then(message).isEqualTo("""
				[Test]\s
				Expecting a drop reason of this kernel, but the running kernel has none called:
				  SOMETHING_ELSE
				""");
	}
}
