package io.tracepackets.internal.junit;

import io.tracepackets.Artifacts;
import io.tracepackets.Backend;
import io.tracepackets.TracePackets;
import io.tracepackets.internal.session.TracerOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Every setting of one {@code @TracePackets} test, resolved once, by {@link #resolve}, the only
 * reader of settings: the extension builds it once per test, or once per class where the annotation
 * is the class's, keeps it in its store, and hands the parts below it (the tracer's options, the
 * trace window, rule tracing, sessions, evidence) the values they need. Nothing below the JUnit glue
 * reads a system property or the environment.
 *
 * <h2>Precedence</h2>
 * For every setting the first of these that is set wins:
 * <ol>
 * <li>the {@code @TracePackets} attribute, where the setting has one and it is not the attribute's
 *     "defer" value ({@code AUTO}, {@code ""}, {@code -1}); the test method's annotation, else the
 *     nearest enclosing test class's;</li>
 * <li>the JUnit configuration parameter ({@code tracepackets.*}), as JUnit resolves it: one given to
 *     the launcher ({@code --config}, the engine test kit), then a JVM system property, then
 *     {@code junit-platform.properties};</li>
 * <li>the JVM system property of the same name, for a launcher that hands over no configuration
 *     parameters;</li>
 * <li>for {@value TracePackets#STRICT_PROPERTY} only: the environment variable {@code CI}, strict
 *     when it is {@code true} (any case);</li>
 * <li>the default.</li>
 * </ol>
 * Which keys have an attribute, and their defaults, are in {@link TracePackets} and
 * docs/quickstart.md ("Configuration").
 *
 * @param strict a test that cannot trace fails instead of being skipped
 * @param backend the backend to ask for; {@link Backend#AUTO} lets the session choose
 * @param functions the functions regex, or null for every skb function
 * @param allDropStacks every drop carries its kernel stack (else netfilter drops only)
 * @param filter the pcap-filter expression, or null for every packet
 * @param snapLength packet bytes per event, 0 for none
 * @param ringBufferBytes the BPF ring buffer's size
 * @param eventBytes the most bytes the tracer's stored events take for open traces
 * @param awaitTimeout how long positive assertions wait
 * @param netfilterRules whether netfilter drops are attributed to their rule
 * @param artifacts when the trace is left as files
 * @param artifactMaxEvents the most events one artifact holds
 * @param artifactMaxBytes the most bytes of artifacts the run writes
 * @param containers the container fields to scope; empty: every {@code @Container} field
 * @param hostNetwork also scope the host's namespace
 * @param allNamespaces scope every namespace
 */
record TraceSettings(boolean strict, Backend backend, String functions, boolean allDropStacks, String filter,
		int snapLength, int ringBufferBytes, long eventBytes, Duration awaitTimeout, boolean netfilterRules,
		Artifacts artifacts, int artifactMaxEvents, long artifactMaxBytes, List<String> containers,
		boolean hostNetwork, boolean allNamespaces) {

	static final long DEFAULT_AWAIT_MILLIS = 3000;
	/** The event store's bound before it was in bytes: setting it is a mistake to name, not to ignore. */
	static final String REMOVED_MAX_EVENTS_PROPERTY = "tracepackets.max.events";

	TraceSettings {
		containers = List.copyOf(containers);
	}

	/**
	 * Where settings are read from, below the annotation: JUnit's configuration parameters, the
	 * JVM's system properties and the process's environment. {@link #of} gives the real ones; a
	 * test gives its own.
	 *
	 * @param parameters JUnit configuration parameters by key
	 * @param properties JVM system properties by key
	 * @param environment environment variables by name
	 */
	record Sources(Function<String, Optional<String>> parameters, Function<String, Optional<String>> properties,
			Function<String, Optional<String>> environment) {

		/** The run's configuration parameters, this JVM's system properties and environment. */
		static Sources of(ExtensionContext context) {
			return new Sources(context::getConfigurationParameter, key -> Optional.ofNullable(System.getProperty(key)),
					name -> Optional.ofNullable(System.getenv(name)));
		}

		/** Steps 2 and 3 of the precedence: the configuration parameter, else the system property. */
		Optional<String> setting(String key) {
			return parameters.apply(key).or(() -> properties.apply(key));
		}
	}

	/**
	 * The settings of a test annotated with {@code annotation} (empty: the extension registered
	 * without it, so every attribute defers), in the order documented above.
	 *
	 * @throws ExtensionConfigurationException for a value that is no number, backend or stacks
	 *     choice, with the key and the value
	 */
	static TraceSettings resolve(Optional<TracePackets> annotation, Sources sources) {
		Backend backend = annotation.map(TracePackets::backend).orElse(Backend.AUTO);
		if (backend == Backend.AUTO) {
			backend = sources.setting(TracePackets.BACKEND_PROPERTY).filter(p -> !p.isBlank())
					.map(TraceSettings::backend).orElse(Backend.AUTO);
		}
		String functions = annotation.map(TracePackets::functions).filter(f -> !f.isBlank())
				.or(() -> sources.setting(TracePackets.FUNCTIONS_PROPERTY)).orElse(null);
		TracePackets.Stacks stacks = annotation.map(TracePackets::stacks).orElse(TracePackets.Stacks.AUTO);
		if (stacks == TracePackets.Stacks.AUTO) {
			stacks = sources.setting(TracePackets.STACKS_PROPERTY).filter(p -> !p.isBlank())
					.map(TraceSettings::stacks).orElse(TracePackets.Stacks.NETFILTER_DROPS);
		}
		int snapLength = annotation.map(TracePackets::snapLength).orElse(-1);
		if (snapLength < 0) {
			snapLength = (int) number(sources, TracePackets.SNAP_LENGTH_PROPERTY, 0);
		}
		long awaitMillis = annotation.map(TracePackets::awaitMillis).orElse(-1L);
		if (awaitMillis < 0) {
			awaitMillis = awaitMillis(sources);
		}
		String filter = annotation.map(TracePackets::filter).filter(f -> !f.isBlank()).orElse(null);
		int ringBufferBytes = (int) number(sources, TracePackets.RING_BUFFER_PROPERTY,
				TracerOptions.DEFAULT_RING_BUFFER_BYTES);
		if (sources.setting(REMOVED_MAX_EVENTS_PROPERTY).isPresent()) {
			throw new ExtensionConfigurationException(REMOVED_MAX_EVENTS_PROPERTY + " is no longer read: the tracer keeps events"
					+ " within a budget in bytes, -D" + TracePackets.EVENT_BYTES_PROPERTY + " (default "
					+ TracerOptions.DEFAULT_STORE_BUDGET_BYTES + ", 256 MiB; about 90 bytes an event)");
		}
		long eventBytes = number(sources, TracePackets.EVENT_BYTES_PROPERTY, TracerOptions.DEFAULT_STORE_BUDGET_BYTES);
		boolean netfilterRules = Boolean.parseBoolean(
				sources.setting(TracePackets.NETFILTER_RULES_PROPERTY).orElse("true"));
		int artifactMaxEvents = (int) number(sources, TracePackets.ARTIFACT_MAX_EVENTS_PROPERTY,
				Evidence.DEFAULT_MAX_EVENTS);
		long artifactMaxBytes = number(sources, TracePackets.ARTIFACT_MAX_BYTES_PROPERTY, Evidence.DEFAULT_MAX_BYTES);
		return new TraceSettings(strict(sources), backend, functions, stacks == TracePackets.Stacks.ALL_DROPS,
				filter, snapLength, ringBufferBytes, eventBytes, Duration.ofMillis(awaitMillis), netfilterRules,
				annotation.map(TracePackets::artifacts).orElse(Artifacts.ON_FAILURE), artifactMaxEvents,
				artifactMaxBytes, annotation.map(a -> Arrays.asList(a.containers())).orElse(List.of()),
				annotation.map(TracePackets::hostNetwork).orElse(false),
				annotation.map(TracePackets::allNamespaces).orElse(false));
	}

	/**
	 * Strict mode: {@value TracePackets#STRICT_PROPERTY} when set (configuration parameter or system
	 * property; {@code true} in any case is strict, anything else not), else {@code CI=true}.
	 */
	private static boolean strict(Sources sources) {
		return sources.setting(TracePackets.STRICT_PROPERTY).map(Boolean::parseBoolean)
				.orElseGet(() -> sources.environment().apply("CI").map("true"::equalsIgnoreCase).orElse(false));
	}

	/** A numeric setting, else the default; blank is the default. */
	private static long number(Sources sources, String key, long defaultValue) {
		String text = sources.setting(key).orElse(null);
		if (text == null || text.isBlank()) {
			return defaultValue;
		}
		try {
			return Long.parseLong(text.strip());
		} catch (NumberFormatException e) {
			throw new ExtensionConfigurationException(key + "=" + text + " is not a number; the default is "
					+ defaultValue);
		}
	}

	private static long awaitMillis(Sources sources) {
		String property = sources.setting(TracePackets.AWAIT_TIMEOUT_PROPERTY).orElse(null);
		try {
			return property == null ? DEFAULT_AWAIT_MILLIS : Long.parseLong(property.strip());
		} catch (NumberFormatException e) {
			throw new ExtensionConfigurationException(TracePackets.AWAIT_TIMEOUT_PROPERTY + "=" + property
					+ " is not a number of milliseconds");
		}
	}

	private static Backend backend(String property) {
		try {
			return Backend.parse(property);
		} catch (IllegalArgumentException e) {
			throw new ExtensionConfigurationException("-D" + TracePackets.BACKEND_PROPERTY + "=" + property + ": "
					+ e.getMessage(), e);
		}
	}

	/** {@value TracePackets#STACKS_PROPERTY}: {@code netfilter} or {@code all} (enum names accepted too). */
	private static TracePackets.Stacks stacks(String property) {
		return switch (property.strip().toLowerCase(Locale.ROOT).replace('-', '_')) {
			case "netfilter", "netfilter_drops" -> TracePackets.Stacks.NETFILTER_DROPS;
			case "all", "all_drops" -> TracePackets.Stacks.ALL_DROPS;
			default -> throw new ExtensionConfigurationException(TracePackets.STACKS_PROPERTY + "=" + property
					+ " is not one of: netfilter (the default), all");
		};
	}
}
