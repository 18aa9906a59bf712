package io.tracepackets.internal.junit;

import io.tracepackets.Artifacts;
import io.tracepackets.Backend;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import io.tracepackets.TracePacketsException;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.pcap.PcapFilter;
import io.tracepackets.internal.session.TraceSession;
import io.tracepackets.internal.session.TracerOptions;
import io.tracepackets.internal.window.TraceWindow;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;
import org.testcontainers.containers.Container;

/**
 * The JUnit glue of {@link TracePackets}: the tracer is started once per JVM (root store); each
 * test gets a {@link PacketTrace} opened at its first use or just before the test method runs —
 * after every {@code @BeforeEach}, so containers are started by then — scoped to the test's
 * containers, and closed right after the test method. A {@link TracingUnavailableException} —
 * the tracer cannot start, or an assertion names a probe point the backend cannot see — skips
 * the test with its reason, or fails it in strict mode ({@link Strictness}).
 */
public class TracePacketsExtension implements BeforeTestExecutionCallback, AfterTestExecutionCallback,
		ParameterResolver, TestExecutionExceptionHandler {

	private static final Namespace NAMESPACE = Namespace.create(TracePacketsExtension.class);
	private static final String SESSIONS_KEY = "trace.sessions";
	private static final String TRACE_KEY = "trace";
	private static final String SCOPED_KEY = "trace.scoped";
	private static final String EVIDENCE_KEY = "trace.evidence";
	private static final String CONTAINER_ANNOTATION = "org.testcontainers.junit.jupiter.Container";
	private static final long DEFAULT_AWAIT_MILLIS = 3000;

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return parameterContext.getParameter().getType() == PacketTrace.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return trace(extensionContext);
	}

	@Override
	public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
		if (throwable instanceof TracingUnavailableException unavailable) {
			throw unavailable(unavailable);
		}
		TraceWindow trace = context.getStore(NAMESPACE).get(TRACE_KEY, TraceWindow.class);
		if (trace != null && Evidence.wanted(artifacts(context), true)) {
			context.getStore(NAMESPACE).put(EVIDENCE_KEY, Boolean.TRUE);
			var file = Evidence.publish(context, trace, (int) number(context, TracePackets.ARTIFACT_MAX_EVENTS_PROPERTY,
					Evidence.DEFAULT_MAX_EVENTS), number(context, TracePackets.ARTIFACT_MAX_BYTES_PROPERTY,
							Evidence.DEFAULT_MAX_BYTES));
			if (file.isPresent() && throwable instanceof AssertionError failure) {
				throw Evidence.naming(failure, file.get());
			}
		}
		throw throwable;
	}

	@Override
	public void beforeTestExecution(ExtensionContext context) {
		TraceWindow trace = trace(context);
		context.getStore(NAMESPACE).computeIfAbsent(SCOPED_KEY, key -> {
			try {
				scope(trace, context);
			} catch (TracingUnavailableException e) {
				throw unavailable(e);
			}
			return Boolean.TRUE;
		}, Boolean.class);
	}

	@Override
	public void afterTestExecution(ExtensionContext context) {
		TraceWindow trace = context.getStore(NAMESPACE).get(TRACE_KEY, TraceWindow.class);
		if (trace == null) {
			return;
		}
		trace.close();
		boolean failed = context.getExecutionException().isPresent();
		if (context.getStore(NAMESPACE).get(EVIDENCE_KEY) == null && Evidence.wanted(artifacts(context), failed)) {
			Evidence.publish(context, trace, (int) number(context, TracePackets.ARTIFACT_MAX_EVENTS_PROPERTY,
					Evidence.DEFAULT_MAX_EVENTS), number(context, TracePackets.ARTIFACT_MAX_BYTES_PROPERTY,
							Evidence.DEFAULT_MAX_BYTES));
		}
	}

	private static Artifacts artifacts(ExtensionContext context) {
		return annotation(context).map(TracePackets::artifacts).orElse(Artifacts.ON_FAILURE);
	}

	private TraceWindow trace(ExtensionContext context) {
		return context.getStore(NAMESPACE).computeIfAbsent(TRACE_KEY,
				key -> TraceWindow.open(session(context), awaitTimeout(context)), TraceWindow.class);
	}

	/**
	 * The JVM-wide tracer for this test's backend and functions (one per distinct configuration),
	 * or the skip (or, in strict mode, failure) that explains its absence.
	 */
	private static TraceSession session(ExtensionContext context) {
		TracerOptions options = options(context);
		Sessions sessions = context.getRoot().getStore(NAMESPACE).computeIfAbsent(SESSIONS_KEY, key -> new Sessions(),
				Sessions.class);
		try {
			return sessions.get(options);
		} catch (TracingUnavailableException e) {
			throw unavailable(e);
		}
	}

	/** The test's skip with the reason, or in strict mode its failure; to be thrown. */
	private static RuntimeException unavailable(TracingUnavailableException failure) {
		if (Strictness.isStrict()) {
			return new TracingUnavailableException(failure.feature(), failure.reason() + " [strict mode (CI=true or -D"
					+ TracePackets.STRICT_PROPERTY + "=true): a test that cannot trace fails]", failure);
		}
		return new TestAbortedException("TracePackets cannot trace here: " + failure.getMessage(), failure);
	}

	/** Annotation first, then system properties, then defaults. */
	private static TracerOptions options(ExtensionContext context) {
		Optional<TracePackets> annotation = annotation(context);
		Backend backend = annotation.map(TracePackets::backend).orElse(Backend.AUTO);
		if (backend == Backend.AUTO) {
			String property = context.getConfigurationParameter(TracePackets.BACKEND_PROPERTY)
					.orElse(System.getProperty(TracePackets.BACKEND_PROPERTY));
			backend = property == null || property.isBlank() ? Backend.AUTO : parse(property);
		}
		String functions = annotation.map(TracePackets::functions).filter(f -> !f.isBlank())
				.orElse(context.getConfigurationParameter(TracePackets.FUNCTIONS_PROPERTY)
						.orElse(System.getProperty(TracePackets.FUNCTIONS_PROPERTY)));
		TracePackets.Stacks stacks = annotation.map(TracePackets::stacks).orElse(TracePackets.Stacks.AUTO);
		if (stacks == TracePackets.Stacks.AUTO) {
			String property = context.getConfigurationParameter(TracePackets.STACKS_PROPERTY)
					.orElse(System.getProperty(TracePackets.STACKS_PROPERTY));
			stacks = property == null || property.isBlank() ? TracePackets.Stacks.NETFILTER_DROPS : stacks(property);
		}
		int snapLength = annotation.map(TracePackets::snapLength).orElse(-1);
		if (snapLength < 0) {
			snapLength = (int) number(context, TracePackets.SNAP_LENGTH_PROPERTY, 0);
		}
		TracerOptions defaults = TracerOptions.defaults();
		try {
			return new TracerOptions(backend, TracerOptions.functionPattern(functions),
					(int) number(context, TracePackets.RING_BUFFER_PROPERTY, defaults.ringBufferBytes()),
					number(context, TracePackets.MAX_EVENTS_PROPERTY, defaults.maxStoredEvents()),
					stacks == TracePackets.Stacks.ALL_DROPS).withPcapFilter(pcapFilter(annotation))
					.withSnapLength(snapLength);
		} catch (IllegalArgumentException | TracePacketsException e) {
			throw new ExtensionConfigurationException("@TracePackets on " + context.getElement().orElse(null) + ": "
					+ e.getMessage(), e);
		}
	}

	/** The annotation's filter, compiled once here so a bad expression fails the test at once. */
	private static String pcapFilter(Optional<TracePackets> annotation) {
		String expression = annotation.map(TracePackets::filter).filter(f -> !f.isBlank()).orElse(null);
		if (expression != null) {
			PcapFilter.compile(expression);
		}
		return expression;
	}

	/** -Dtracepackets.stacks: {@code netfilter} or {@code all} (enum names accepted too). */
	private static TracePackets.Stacks stacks(String property) {
		return switch (property.strip().toLowerCase(java.util.Locale.ROOT).replace('-', '_')) {
			case "netfilter", "netfilter_drops" -> TracePackets.Stacks.NETFILTER_DROPS;
			case "all", "all_drops" -> TracePackets.Stacks.ALL_DROPS;
			default -> throw new ExtensionConfigurationException(TracePackets.STACKS_PROPERTY + "=" + property
					+ " is not one of: netfilter (the default), all");
		};
	}

	/** A numeric setting: JUnit configuration parameter, else system property, else the default. */
	private static long number(ExtensionContext context, String key, long defaultValue) {
		String text = context.getConfigurationParameter(key).orElse(System.getProperty(key));
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

	private static Backend parse(String property) {
		try {
			return Backend.parse(property);
		} catch (IllegalArgumentException e) {
			throw new ExtensionConfigurationException("-D" + TracePackets.BACKEND_PROPERTY + "=" + property + ": "
					+ e.getMessage(), e);
		}
	}

	private static Optional<TracePackets> annotation(ExtensionContext context) {
		Optional<TracePackets> onMethod = context.getTestMethod()
				.flatMap(m -> AnnotationSupport.findAnnotation(m, TracePackets.class));
		if (onMethod.isPresent()) {
			return onMethod;
		}
		for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
			Optional<TracePackets> onClass = c.get().getTestClass()
					.flatMap(k -> AnnotationSupport.findAnnotation(k, TracePackets.class));
			if (onClass.isPresent()) {
				return onClass;
			}
		}
		return Optional.empty();
	}

	private static Duration awaitTimeout(ExtensionContext context) {
		long millis = annotation(context).map(TracePackets::awaitMillis).orElse(-1L);
		if (millis < 0) {
			String property = context.getConfigurationParameter(TracePackets.AWAIT_TIMEOUT_PROPERTY)
					.orElse(System.getProperty(TracePackets.AWAIT_TIMEOUT_PROPERTY));
			try {
				millis = property == null ? DEFAULT_AWAIT_MILLIS : Long.parseLong(property.strip());
			} catch (NumberFormatException e) {
				throw new ExtensionConfigurationException(TracePackets.AWAIT_TIMEOUT_PROPERTY + "=" + property
						+ " is not a number of milliseconds");
			}
		}
		return Duration.ofMillis(millis);
	}

	/** Scopes the trace to the annotation's containers (or every @Container field) and the host if asked. */
	private static void scope(TraceWindow trace, ExtensionContext context) {
		Optional<TracePackets> annotation = annotation(context);
		if (annotation.map(TracePackets::allNamespaces).orElse(false)) {
			trace.scopeEveryNamespace();
		}
		if (annotation.map(TracePackets::hostNetwork).orElse(false)) {
			trace.scopeHostNetwork();
		}
		List<String> named = annotation.map(a -> Arrays.asList(a.containers())).orElse(List.of());
		ContainerFields fields = containers(context, named);
		for (Container<?> container : fields.scoped()) {
			trace.scope(container);
		}
		// An assertion on a trace with nothing in scope fails; these are what it names as scopable.
		trace.unscopedContainers(fields.unscoped());
	}

	/** The containers to scope, and the descriptions of the container fields left out. */
	private record ContainerFields(List<Container<?>> scoped, List<String> unscoped) {
	}

	private static ContainerFields containers(ExtensionContext context, List<String> named) {
		List<Container<?>> found = new ArrayList<>();
		List<String> unscoped = new ArrayList<>();
		List<String> missing = new ArrayList<>(named);
		for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
			for (Class<?> type = instance.getClass(); type != Object.class; type = type.getSuperclass()) {
				for (Field field : type.getDeclaredFields()) {
					boolean wanted = named.isEmpty() ? isContainerField(field) : named.contains(field.getName());
					if (!wanted) {
						if (Container.class.isAssignableFrom(field.getType()) && read(field, instance) != null) {
							unscoped.add("field " + field.getName() + " (" + field.getType().getSimpleName() + ") of "
									+ type.getSimpleName() + (named.isEmpty() ? ", not annotated @Container"
											: ", not named in @TracePackets(containers = ...)"));
						}
						continue;
					}
					if (!Container.class.isAssignableFrom(field.getType())) {
						throw new ExtensionConfigurationException("@TracePackets(containers = \"" + field.getName()
								+ "\"): field " + type.getName() + "." + field.getName() + " is a "
								+ field.getType().getName() + ", not a Testcontainers Container");
					}
					missing.remove(field.getName());
					Container<?> container = read(field, instance);
					if (container == null) {
						throw new ExtensionConfigurationException("@TracePackets: container field " + type.getName() + "."
								+ field.getName() + " is null: initialize it before the test runs");
					}
					found.add(container);
				}
			}
		}
		if (!missing.isEmpty()) {
			throw new ExtensionConfigurationException("@TracePackets(containers = " + missing + "): no such field in "
					+ context.getRequiredTestClass().getName() + "; name fields that hold Testcontainers containers");
		}
		return new ContainerFields(found, unscoped);
	}

	private static boolean isContainerField(Field field) {
		return Arrays.stream(field.getAnnotations())
				.anyMatch(a -> a.annotationType().getName().equals(CONTAINER_ANNOTATION));
	}

	private static Container<?> read(Field field, Object instance) {
		try {
			field.setAccessible(true);
			return (Container<?>) field.get(Modifier.isStatic(field.getModifiers()) ? null : instance);
		} catch (IllegalAccessException e) {
			throw new ExtensionConfigurationException("@TracePackets cannot read field " + field, e);
		}
	}
}
