package io.tracepackets.internal.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracepackets.Artifacts;
import io.tracepackets.Backend;
import io.tracepackets.TracePackets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * The one precedence of {@link TraceSettings}: annotation attribute, JUnit configuration
 * parameter, system property, {@code CI} (strict mode only), default; read from sources the test
 * gives, so no JVM state is touched.
 */
class TraceSettingsTest {

	@TracePackets(backend = Backend.KPROBE, functions = "^ip_rcv$", stacks = TracePackets.Stacks.ALL_DROPS,
			snapLength = 64, awaitMillis = 250, artifacts = Artifacts.ALWAYS, filter = "udp", containers = { "a", "b" },
			hostNetwork = true, allNamespaces = true)
	static class EveryAttribute {
	}

	@TracePackets
	static class Defaults {
	}

	private static TracePackets annotation(Class<?> type) {
		return type.getAnnotation(TracePackets.class);
	}

	private static TraceSettings.Sources sources(Map<String, String> parameters, Map<String, String> properties,
			Map<String, String> environment) {
		return new TraceSettings.Sources(key -> Optional.ofNullable(parameters.get(key)),
				key -> Optional.ofNullable(properties.get(key)), name -> Optional.ofNullable(environment.get(name)));
	}

	private static final Map<String, String> EVERY_KEY_SET = Map.of(TracePackets.BACKEND_PROPERTY, "fentry",
			TracePackets.FUNCTIONS_PROPERTY, "^udp_rcv$", TracePackets.STACKS_PROPERTY, "netfilter",
			TracePackets.SNAP_LENGTH_PROPERTY, "128", TracePackets.AWAIT_TIMEOUT_PROPERTY, "9000");

	@Test
	void should_take_the_annotations_attributes_over_every_other_source() {
		TraceSettings settings = TraceSettings.resolve(Optional.of(annotation(EveryAttribute.class)),
				sources(EVERY_KEY_SET, EVERY_KEY_SET, Map.of()));

		assertThat(settings.backend()).isEqualTo(Backend.KPROBE);
		assertThat(settings.functions()).isEqualTo("^ip_rcv$");
		assertThat(settings.allDropStacks()).isTrue();
		assertThat(settings.snapLength()).isEqualTo(64);
		assertThat(settings.awaitTimeout()).isEqualTo(Duration.ofMillis(250));
		assertThat(settings.artifacts()).isEqualTo(Artifacts.ALWAYS);
		assertThat(settings.filter()).isEqualTo("udp");
		assertThat(settings.containers()).containsExactly("a", "b");
		assertThat(settings.hostNetwork()).isTrue();
		assertThat(settings.allNamespaces()).isTrue();
	}

	@Test
	void should_take_the_configuration_parameter_where_the_annotation_defers_then_the_system_property() {
		Map<String, String> properties = Map.of(TracePackets.BACKEND_PROPERTY, "kprobe",
				TracePackets.RING_BUFFER_PROPERTY, "8192", TracePackets.NETFILTER_RULES_PROPERTY, "false",
				TracePackets.ARTIFACT_MAX_BYTES_PROPERTY, "1000");

		TraceSettings settings = TraceSettings.resolve(Optional.of(annotation(Defaults.class)),
				sources(EVERY_KEY_SET, properties, Map.of()));

		// configuration parameters win over system properties
		assertThat(settings.backend()).isEqualTo(Backend.FENTRY);
		assertThat(settings.functions()).isEqualTo("^udp_rcv$");
		assertThat(settings.allDropStacks()).isFalse();
		assertThat(settings.snapLength()).isEqualTo(128);
		assertThat(settings.awaitTimeout()).isEqualTo(Duration.ofMillis(9000));
		// system properties where no parameter is given, every key alike
		assertThat(settings.ringBufferBytes()).isEqualTo(8192);
		assertThat(settings.netfilterRules()).isFalse();
		assertThat(settings.artifactMaxBytes()).isEqualTo(1000);
	}

	@Test
	void should_default_what_no_source_sets() {
		TraceSettings settings = TraceSettings.resolve(Optional.empty(), sources(Map.of(), Map.of(), Map.of()));

		assertThat(settings).isEqualTo(new TraceSettings(false, Backend.AUTO, null, false, null, 0, 16 << 20,
				256L << 20, Duration.ofMillis(3000), true, Artifacts.ON_FAILURE, Evidence.DEFAULT_MAX_EVENTS,
				Evidence.DEFAULT_MAX_BYTES, List.of(), false, false));
	}

	@Test
	void should_name_the_byte_budget_when_the_removed_event_count_is_set() {
		assertThatThrownBy(() -> TraceSettings.resolve(Optional.empty(),
				sources(Map.of(), Map.of("tracepackets.max.events", "100000"), Map.of())))
				.isInstanceOf(ExtensionConfigurationException.class)
				.hasMessage("tracepackets.max.events is no longer read: the tracer keeps events within a budget in bytes,"
						+ " -Dtracepackets.events.bytes (default 268435456, 256 MiB; about 90 bytes an event)");
	}

	@Test
	void should_be_strict_under_ci_unless_the_setting_says_otherwise() {
		Map<String, String> ci = Map.of("CI", "TRUE");
		Map<String, String> off = Map.of(TracePackets.STRICT_PROPERTY, "false");
		Map<String, String> on = Map.of(TracePackets.STRICT_PROPERTY, "true");

		assertThat(strict(Map.of(), Map.of(), ci)).isTrue();
		assertThat(strict(Map.of(), Map.of(), Map.of("CI", "1"))).isFalse();
		assertThat(strict(Map.of(), off, ci)).isFalse();
		assertThat(strict(off, on, Map.of())).isFalse();
		assertThat(strict(on, Map.of(), Map.of())).isTrue();
		assertThat(strict(Map.of(), on, Map.of())).isTrue();
	}

	private static boolean strict(Map<String, String> parameters, Map<String, String> properties,
			Map<String, String> environment) {
		return TraceSettings.resolve(Optional.empty(), sources(parameters, properties, environment)).strict();
	}

	@Test
	void should_name_the_key_and_value_of_a_setting_it_cannot_read() {
		assertThatThrownBy(() -> TraceSettings.resolve(Optional.empty(),
				sources(Map.of(TracePackets.EVENT_BYTES_PROPERTY, "many"), Map.of(), Map.of())))
				.isInstanceOf(ExtensionConfigurationException.class)
				.hasMessage("tracepackets.events.bytes=many is not a number; the default is 268435456");
		assertThatThrownBy(() -> TraceSettings.resolve(Optional.empty(),
				sources(Map.of(), Map.of(TracePackets.BACKEND_PROPERTY, "ebpf"), Map.of())))
				.isInstanceOf(ExtensionConfigurationException.class)
				.hasMessageStartingWith("-Dtracepackets.backend=ebpf: ");
		assertThatThrownBy(() -> TraceSettings.resolve(Optional.empty(),
				sources(Map.of(), Map.of(TracePackets.STACKS_PROPERTY, "some"), Map.of())))
				.isInstanceOf(ExtensionConfigurationException.class)
				.hasMessage("tracepackets.stacks=some is not one of: netfilter (the default), all");
		assertThatThrownBy(() -> TraceSettings.resolve(Optional.empty(),
				sources(Map.of(), Map.of(TracePackets.AWAIT_TIMEOUT_PROPERTY, "soon"), Map.of())))
				.isInstanceOf(ExtensionConfigurationException.class)
				.hasMessage("tracepackets.await.timeout.ms=soon is not a number of milliseconds");
	}
}
