package io.tracepackets.internal.junit;

import io.tracepackets.UnscopedContainer;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.TestAbortedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.Container;

/**
 * The JUnit glue of {@link TracePackets}: the tracer is started once per JVM (root store); each
 * test gets a {@link PacketTrace} opened at its first use or just before the test method runs —
 * after every {@code @BeforeEach}, so containers are started by then — scoped to the test's
 * containers, and closed right after the test method. A {@link TracingUnavailableException} —
 * the tracer cannot start, or an assertion names a probe point the backend cannot see — skips
 * the test with its reason, or fails it in strict mode ({@link TraceSettings#strict()}). Every
 * setting comes from the test's {@link TraceSettings}, resolved once; the parts below receive
 * the values they need.
 */
public class TracePacketsExtension implements BeforeEachCallback, BeforeTestExecutionCallback,
		AfterTestExecutionCallback, AfterEachCallback, ParameterResolver, TestExecutionExceptionHandler {

	private static final Namespace NAMESPACE = Namespace.create(TracePacketsExtension.class);
	private static final String SESSIONS_KEY = "trace.sessions";
	private static final String TRACE_KEY = "trace";
	private static final String SCOPED_KEY = "trace.scoped";
	private static final String EVIDENCE_KEY = "trace.evidence";
	private static final String CONTAINER_ANNOTATION = "org.testcontainers.junit.jupiter.Container";
	private static final String SKIP_LOGGED_KEY = "trace.skipLogged";
	private static final Logger LOG = LoggerFactory.getLogger(TracePacketsExtension.class);
	/**
	 * The test running on this thread, from before its {@code @BeforeEach} methods to after its
	 * {@code @AfterEach} ones: the trace that Spring injects ({@link SpringTestContext#offerTrace})
	 * is this test's.
	 */
	private static final ThreadLocal<ExtensionContext> RUNNING_TEST = new ThreadLocal<>();

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		if (parameterContext.getParameter().getType() != PacketTrace.class) {
			return false;
		}
		// Two resolvers for one parameter fail the test: where Spring's claims it (a constructor under
		// @TestConstructor(autowireMode = ALL)), Spring injects the running test's trace instead.
		if (SpringTestContext.applies(extensionContext) && SpringTestContext.claims(parameterContext, extensionContext)) {
			SpringTestContext.offerTrace(extensionContext, this::runningTestTrace);
			return false;
		}
		return true;
	}

	private PacketTrace runningTestTrace() {
		ExtensionContext running = RUNNING_TEST.get();
		if (running == null) {
			throw SpringTestContext.noRunningTest();
		}
		return trace(running);
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		RUNNING_TEST.set(context);
	}

	@Override
	public void afterEach(ExtensionContext context) {
		RUNNING_TEST.remove();
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return trace(extensionContext);
	}

	@Override
	public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
		if (throwable instanceof TracingUnavailableException unavailable) {
			throw unavailable(context, unavailable, settings(context));
		}
		TraceWindow trace = context.getStore(NAMESPACE).get(TRACE_KEY, TraceWindow.class);
		if (trace != null && Evidence.wanted(settings(context).artifacts(), true)) {
			context.getStore(NAMESPACE).put(EVIDENCE_KEY, Boolean.TRUE);
			Evidence.Files files = publish(context, trace);
			if (throwable instanceof AssertionError failure) {
				throw Evidence.naming(failure, files);
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
				throw unavailable(context, e, settings(context));
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
		if (context.getStore(NAMESPACE).get(EVIDENCE_KEY) == null
				&& Evidence.wanted(settings(context).artifacts(), failed)) {
			publish(context, trace);
		}
	}

	private static Evidence.Files publish(ExtensionContext context, TraceWindow trace) {
		TraceSettings settings = settings(context);
		return Evidence.publish(context, trace, settings.artifactMaxEvents(), settings.artifactMaxBytes());
	}

	private TraceWindow trace(ExtensionContext context) {
		return context.getStore(NAMESPACE).computeIfAbsent(TRACE_KEY, key -> {
			TraceSettings settings = settings(context);
			return TraceWindow.open(session(context, settings), settings.awaitTimeout(), settings.netfilterRules());
		}, TraceWindow.class);
	}

	/**
	 * The test's settings, resolved once ({@link TraceSettings#resolve}, the one reader of settings):
	 * per test where the test method carries its own {@code @TracePackets}, else per test class that
	 * carries it (the nearest enclosing one), else once for the run. Each is kept in the store of the
	 * context it belongs to, under a key naming that context, so a class's settings never stand in
	 * for a method's own.
	 */
	static TraceSettings settings(ExtensionContext context) {
		return context.getStore(NAMESPACE).computeIfAbsent(new SettingsKey(context.getUniqueId()), key -> {
			Optional<TracePackets> onMethod = context.getTestMethod()
					.flatMap(m -> AnnotationSupport.findAnnotation(m, TracePackets.class));
			if (onMethod.isPresent()) {
				return TraceSettings.resolve(onMethod, TraceSettings.Sources.of(context));
			}
			// The class contexts, innermost first: a method's (or template invocation's) context names
			// its class too, but settings of a class are kept once, in the class's own context.
			ExtensionContext owner = context.getRoot();
			Optional<TracePackets> onClass = Optional.empty();
			for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent() && onClass.isEmpty();
					c = c.get().getParent()) {
				if (c.get().getTestMethod().isEmpty()) {
					onClass = c.get().getTestClass()
							.flatMap(k -> AnnotationSupport.findAnnotation(k, TracePackets.class));
					owner = c.get();
				}
			}
			if (owner == context) {
				return TraceSettings.resolve(onClass, TraceSettings.Sources.of(context));
			}
			Optional<TracePackets> found = onClass;
			ExtensionContext at = owner;
			return at.getStore(NAMESPACE).computeIfAbsent(new SettingsKey(at.getUniqueId()),
					k -> TraceSettings.resolve(found, TraceSettings.Sources.of(at)), TraceSettings.class);
		}, TraceSettings.class);
	}

	/** The store key of the settings resolved for the context with this unique id. */
	private record SettingsKey(String contextId) {
	}

	/**
	 * The JVM-wide tracer for this test's backend and functions (one per distinct configuration),
	 * or the skip (or, in strict mode, failure) that explains its absence.
	 */
	private static TraceSession session(ExtensionContext context, TraceSettings settings) {
		TracerOptions options = options(context, settings);
		Sessions sessions = context.getRoot().getStore(NAMESPACE).computeIfAbsent(SESSIONS_KEY, key -> new Sessions(),
				Sessions.class);
		try {
			return sessions.get(options, settings.strict());
		} catch (TracingUnavailableException e) {
			throw unavailable(context, e, settings);
		}
	}

	/**
	 * The test's skip with the reason, or in strict mode its failure; to be thrown. A skip is also
	 * logged, once per test, at WARN: Maven's console shows only "Skipped: 1" for it, and the
	 * reason would otherwise be found only in the XML reports.
	 */
	private static RuntimeException unavailable(ExtensionContext context, TracingUnavailableException failure,
			TraceSettings settings) {
		if (settings.strict()) {
			return strictFailure(failure);
		}
		String reason = skipReason(failure);
		if (context.getStore(NAMESPACE).get(SKIP_LOGGED_KEY) == null) {
			context.getStore(NAMESPACE).put(SKIP_LOGGED_KEY, Boolean.TRUE);
			LOG.warn("skipped {}: {} (set {}=true, or CI=true, to fail instead)", testName(context), reason,
					TracePackets.STRICT_PROPERTY);
		}
		return new TestAbortedException(reason, failure);
	}

	/** The failure a test that cannot trace gets in strict mode: the reason, and why it is not a skip. */
	static TracingUnavailableException strictFailure(TracingUnavailableException failure) {
		return new TracingUnavailableException(failure.feature(), failure.reason() + " [strict mode (CI=true or -D"
				+ TracePackets.STRICT_PROPERTY + "=true): a test that cannot trace fails]", failure);
	}

	/** The reason a test that cannot trace is skipped with. */
	static String skipReason(TracingUnavailableException failure) {
		return "TracePackets cannot trace here: " + failure.getMessage();
	}

	/** {@code UdpDropRuleTest.a_drop_rule(IptablesVariant, PacketTrace) [1] NFT}, as a reader finds it. */
	private static String testName(ExtensionContext context) {
		String where = context.getTestClass().map(Class::getSimpleName).orElse("");
		return context.getTestMethod().map(method -> where + "." + method.getName()
				+ (context.getDisplayName().startsWith(method.getName()) ? "" : " " + context.getDisplayName()))
				.orElse(where.isEmpty() ? context.getDisplayName() : where);
	}

	/** The tracer's options from the settings; what the tracer refuses fails the test, naming the element. */
	private static TracerOptions options(ExtensionContext context, TraceSettings settings) {
		try {
			return new TracerOptions(settings.backend(), TracerOptions.functionPattern(settings.functions()),
					settings.ringBufferBytes(), settings.eventBytes(), settings.allDropStacks())
					.withPcapFilter(pcapFilter(settings.filter())).withSnapLength(settings.snapLength());
		} catch (IllegalArgumentException | TracePacketsException e) {
			throw new ExtensionConfigurationException("@TracePackets on " + context.getElement().orElse(null) + ": "
					+ e.getMessage(), e);
		}
	}

	/** The annotation's filter, compiled once here so a bad expression fails the test at once. */
	private static String pcapFilter(String expression) {
		if (expression != null) {
			PcapFilter.compile(expression);
		}
		return expression;
	}

	/** Scopes the trace to the annotation's containers (or every @Container field) and the host if asked. */
	private static void scope(TraceWindow trace, ExtensionContext context) {
		TraceSettings settings = settings(context);
		if (settings.allNamespaces()) {
			trace.scopeEveryNamespace();
		}
		if (settings.hostNetwork()) {
			trace.scopeHostNetwork();
		}
		ContainerFields fields = containers(context, settings.containers());
		for (Container<?> container : fields.scoped()) {
			trace.scope(container);
		}
		fields.beans().forEach((name, container) -> trace.scope(container, "bean " + name));
		// An assertion on a trace with nothing in scope fails; these are what it names as scopable.
		trace.unscopedContainers(fields.unscoped());
	}

	/**
	 * The containers to scope: fields, and Spring container beans by name (a bean that a scoped
	 * field holds is scoped once, as the field); and the descriptions of those left out.
	 */
	private record ContainerFields(List<Container<?>> scoped, Map<String, Container<?>> beans, List<UnscopedContainer> unscoped) {
	}

	private static ContainerFields containers(ExtensionContext context, List<String> named) {
		List<Container<?>> found = new ArrayList<>();
		List<UnscopedContainer> unscoped = new ArrayList<>();
		List<String> missing = new ArrayList<>(named);
		Map<String, Container<?>> beans = SpringTestContext.applies(context) ? SpringTestContext.containerBeans(context)
				: Map.of();
		Set<Container<?>> beanInstances = Collections.newSetFromMap(new IdentityHashMap<>());
		beanInstances.addAll(beans.values());
		for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
			for (Class<?> type = instance.getClass(); type != Object.class; type = type.getSuperclass()) {
				for (Field field : type.getDeclaredFields()) {
					boolean wanted = named.isEmpty() ? isContainerField(field) : named.contains(field.getName());
					if (!wanted) {
						Container<?> unwanted = Container.class.isAssignableFrom(field.getType()) ? read(field, instance)
								: null;
						// An @Autowired container bean is scoped as the bean (below).
						if (unwanted != null && !beanInstances.contains(unwanted)) {
							unscoped.add(new UnscopedContainer(UnscopedContainer.Holder.FIELD, field.getName(),
									field.getType().getSimpleName(), type.getSimpleName(), !named.isEmpty()));
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
		Set<Container<?>> fromFields = Collections.newSetFromMap(new IdentityHashMap<>());
		fromFields.addAll(found);
		Map<String, Container<?>> scopedBeans = new LinkedHashMap<>();
		beans.forEach((name, container) -> {
			if (fromFields.contains(container)) {
				missing.remove(name);
			} else if (named.isEmpty() || named.contains(name)) {
				missing.remove(name);
				scopedBeans.put(name, container);
			} else {
				unscoped.add(new UnscopedContainer(UnscopedContainer.Holder.SPRING_BEAN, name,
						container.getClass().getSimpleName(), "the test's Spring context", true));
			}
		});
		if (!missing.isEmpty()) {
			throw new ExtensionConfigurationException("@TracePackets(containers = " + missing + "): no such field in "
					+ context.getRequiredTestClass().getName() + (SpringTestContext.applies(context)
							? " and no such container bean in its Spring context (container beans: " + beans.keySet() + ")"
							: "")
					+ "; name fields that hold Testcontainers containers" + (SpringTestContext.applies(context)
							? ", or container beans" : ""));
		}
		return new ContainerFields(found, scopedBeans, unscoped);
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
