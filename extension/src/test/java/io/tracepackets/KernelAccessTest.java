package io.tracepackets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestTag;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** The {@link KernelTest} gate: what it finds missing, and how a class is skipped or failed for it. */
class KernelAccessTest {

	/** CapEff of root on this project's machines (every capability but CAP_SYS_RESOURCE). */
	private static final long ROOT = 0x1fffeffffffL;
	/** CAP_NET_ADMIN, CAP_PERFMON and CAP_BPF, without CAP_SYS_ADMIN. */
	private static final long BPF_WITHOUT_SYS_ADMIN = (1L << 12) | (1L << 38) | (1L << 39);

	@KernelTest
	static class Gated {
		@Test
		void runs_only_where_this_process_can_trace() {
		}
	}

	/** The gate as on a machine where nothing can trace, whoever runs this. */
	static class NothingCanTrace extends KernelAccess {
		@Override
		Optional<String> lacking() {
			return KernelAccess.missing(0, false, "nobody");
		}
	}

	@ExtendWith(NothingCanTrace.class)
	static class GatedWhereNothingCanTrace {
		@BeforeAll
		static void neverRuns() {
			throw new AssertionError("the gate comes first");
		}

		@Test
		void never_runs() {
		}
	}

	@Test
	void root_with_kernel_btf_lacks_nothing() {
		assertThat(KernelAccess.missing(ROOT, true, "root")).isEmpty();
	}

	@Test
	void an_unprivileged_user_is_told_every_missing_capability_and_how_to_run() {
		assertThat(KernelAccess.missing(0, true, "nobody")).get().asString()
				.contains("user nobody")
				.contains("CAP_NET_ADMIN", "CAP_SYS_ADMIN", "CAP_PERFMON", "CAP_BPF")
				.doesNotContain(KernelAccess.VMLINUX_BTF)
				.endsWith("run the kernel tests as root: sudo ./tp test");
	}

	@Test
	void cap_bpf_alone_is_not_enough_for_network_namespaces() {
		assertThat(KernelAccess.missing(BPF_WITHOUT_SYS_ADMIN, true, "tracer")).get().asString()
				.contains("lacks CAP_SYS_ADMIN (ip netns and setns into network namespaces)")
				.doesNotContain("CAP_BPF", "CAP_PERFMON", "CAP_NET_ADMIN");
	}

	@Test
	void a_kernel_without_btf_is_named() {
		assertThat(KernelAccess.missing(ROOT, false, "root")).get().asString()
				.startsWith("/sys/kernel/btf/vmlinux is not readable")
				.contains("CONFIG_DEBUG_INFO_BTF")
				.doesNotContain("lacks");
	}

	@Test
	void a_class_is_skipped_with_the_reason_or_failed_in_strict_mode() {
		Optional<String> missing = Optional.of("this process (user nobody) lacks CAP_BPF; run as root");

		assertThatThrownBy(() -> KernelAccess.check(Gated.class, missing, false))
				.isExactlyInstanceOf(TestAbortedException.class)
				.hasMessage("Gated needs the live kernel: this process (user nobody) lacks CAP_BPF; run as root");
		assertThatThrownBy(() -> KernelAccess.check(Gated.class, missing, true))
				.isInstanceOf(AssertionFailedError.class)
				.hasMessageStartingWith("Gated needs the live kernel: this process (user nobody) lacks CAP_BPF")
				.hasMessageContaining("[strict mode (CI=true or -Dtracepackets.strict=true)");
		assertThatCode(() -> KernelAccess.check(Gated.class, Optional.empty(), true)).doesNotThrowAnyException();
	}

	@Test
	void the_strict_property_overrides_ci() {
		String before = System.getProperty(TracePackets.STRICT_PROPERTY);
		try {
			System.setProperty(TracePackets.STRICT_PROPERTY, "true");
			assertThat(KernelAccess.isStrict()).isTrue();
			System.setProperty(TracePackets.STRICT_PROPERTY, "false");
			assertThat(KernelAccess.isStrict()).isFalse();
			System.clearProperty(TracePackets.STRICT_PROPERTY);
			assertThat(KernelAccess.isStrict()).isEqualTo("true".equalsIgnoreCase(System.getenv("CI")));
		} finally {
			restore(before);
		}
	}

	@Test
	void a_class_is_skipped_with_what_is_missing_failed_in_strict_mode_or_aborted_without_conditions() {
		String reason = "GatedWhereNothingCanTrace needs the live kernel: "
				+ KernelAccess.missing(0, false, "nobody").orElseThrow();

		EngineExecutionResults relaxed = run(GatedWhereNothingCanTrace.class, false, false);
		EngineExecutionResults strict = run(GatedWhereNothingCanTrace.class, true, false);
		EngineExecutionResults withoutConditions = run(GatedWhereNothingCanTrace.class, false, true);

		// no test and no @BeforeAll runs: the class is skipped with the reason (surefire lists each of its
		// tests as skipped with it)...
		relaxed.testEvents().assertStatistics(stats -> stats.started(0));
		assertThat(relaxed.containerEvents().skipped().stream().map(e -> e.getPayload(String.class).orElse("")))
				.containsExactly(reason);
		// ...or in strict mode failed with it...
		strict.testEvents().assertStatistics(stats -> stats.started(0));
		assertThat(reasonsOf(strict.containerEvents().failed())).singleElement().asString()
				.startsWith(reason).contains("[strict mode");
		// ...and should conditions be deactivated, beforeAll still aborts it
		withoutConditions.testEvents().assertStatistics(stats -> stats.started(0));
		assertThat(reasonsOf(withoutConditions.containerEvents().aborted())).containsExactly(reason);
	}

	@Test
	void a_kernel_test_is_tagged_and_runs_exactly_where_this_process_can_trace() {
		EngineExecutionResults relaxed = run(Gated.class, false, false);
		EngineExecutionResults strict = run(Gated.class, true, false);

		Optional<String> missing = KernelAccess.missing();
		if (missing.isEmpty()) {
			relaxed.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
			strict.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
		} else {
			relaxed.testEvents().assertStatistics(stats -> stats.started(0));
			assertThat(relaxed.containerEvents().skipped().stream().map(e -> e.getPayload(String.class).orElse("")))
					.containsExactly("Gated needs the live kernel: " + missing.get());
			assertThat(reasonsOf(strict.containerEvents().failed())).singleElement().asString()
					.startsWith("Gated needs the live kernel: " + missing.get());
		}
		assertThat(strict.containerEvents().started().stream().map(e -> e.getTestDescriptor()))
				.filteredOn(descriptor -> descriptor.getDisplayName().endsWith("Gated")).singleElement()
				.satisfies(descriptor -> assertThat(descriptor.getTags()).contains(TestTag.create(KernelTest.TAG)));
	}

	/** Running {@code testClass}, strict or not, with JUnit's conditions (the gate's among them) or without. */
	private static EngineExecutionResults run(Class<?> testClass, boolean strict, boolean deactivateConditions) {
		String before = System.getProperty(TracePackets.STRICT_PROPERTY);
		System.setProperty(TracePackets.STRICT_PROPERTY, Boolean.toString(strict));
		try {
			var kit = EngineTestKit.engine("junit-jupiter").selectors(selectClass(testClass));
			if (deactivateConditions) {
				kit = kit.configurationParameter("junit.jupiter.conditions.deactivate", "io.tracepackets.*");
			}
			return kit.execute();
		} finally {
			restore(before);
		}
	}

	private static java.util.stream.Stream<String> reasonsOf(Events events) {
		return events.stream().map(KernelAccessTest::reason);
	}

	private static String reason(Event event) {
		return event.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable)
				.map(Throwable::getMessage).orElse("");
	}

	private static void restore(String before) {
		if (before == null) {
			System.clearProperty(TracePackets.STRICT_PROPERTY);
		} else {
			System.setProperty(TracePackets.STRICT_PROPERTY, before);
		}
	}
}
