package io.tracepackets.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.tracepackets.TracePacketsException;
import io.tracepackets.internal.bpf.BpfObject;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fentry clones' function address, for kernels without bpf_get_func_ip in tracing programs
 * (before 5.15): the shipped object's templates carry the placeholder, and a clone gets the address
 * in its place. Opening the object needs no privileges (nothing is loaded).
 */
class FentryBackendTest {

	private static final String OBJECT = "io/tracepackets/bpf/tracepackets.bpf.o";

	@Test
	void should_find_one_placeholder_in_every_fentry_template_of_the_object() {
		try (BpfObject object = BpfObject.openResource(OBJECT, "tp_test")) {
			for (int position = 1; position <= 5; position++) {
				String program = "fentry_skb_" + position;
				assertThat(FentryBackend.placeholders(object.program(program).instructions(), program))
						.as(program).hasSize(1);
			}
		}
	}

	@Test
	void should_write_the_address_into_a_copy_and_leave_the_template_alone() {
		try (Arena arena = Arena.ofConfined()) {
			// GIVEN r1 = placeholder ll; exit
			MemorySegment template = arena.allocate(24, 8);
			template.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x18);
			template.set(ValueLayout.JAVA_BYTE, 1, (byte) 0x01);
			template.set(ValueLayout.JAVA_INT, 4, (int) FentryBackend.FUNCTION_IP_PLACEHOLDER);
			template.set(ValueLayout.JAVA_INT, 12, (int) (FentryBackend.FUNCTION_IP_PLACEHOLDER >>> 32));
			template.set(ValueLayout.JAVA_BYTE, 16, (byte) 0x95);

			// WHEN
			List<Long> at = FentryBackend.placeholders(template, "test");
			MemorySegment clone = FentryBackend.withAddress(template, at, 0xffffffff81a2b3c4L, arena);

			// THEN
			assertThat(at).containsExactly(0L);
			long loaded = Integer.toUnsignedLong(clone.get(ValueLayout.JAVA_INT, 4))
					| (long) clone.get(ValueLayout.JAVA_INT, 12) << 32;
			assertThat(Long.toHexString(loaded)).isEqualTo("ffffffff81a2b3c4");
			assertThat(clone.get(ValueLayout.JAVA_BYTE, 16)).isEqualTo((byte) 0x95);
			assertThat(template.get(ValueLayout.JAVA_INT, 4)).isEqualTo((int) FentryBackend.FUNCTION_IP_PLACEHOLDER);
		}
	}

	@Test
	void should_refuse_a_template_without_the_placeholder() {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment exitOnly = arena.allocate(8, 8);
			exitOnly.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x95);
			assertThatExceptionOfType(TracePacketsException.class)
					.isThrownBy(() -> FentryBackend.placeholders(exitOnly, "fentry_skb_1"))
					.withMessageContaining("fentry program fentry_skb_1 has no placeholder for its function's address");
		}
	}
}
