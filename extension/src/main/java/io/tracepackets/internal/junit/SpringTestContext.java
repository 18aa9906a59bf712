package io.tracepackets.internal.junit;

import io.tracepackets.PacketTrace;
import io.tracepackets.TracePacketsException;
import java.io.Serializable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.testcontainers.containers.Container;

/**
 * What a Spring test's {@code ApplicationContext} adds to a trace, found by reflection so that
 * TracePackets never needs Spring: the container beans (a {@code @TestConfiguration}'s
 * {@code @Bean GenericContainer}s, and the fields of an {@code @ImportTestcontainers} type, which
 * Spring Boot registers as beans named {@code importTestContainer.<class>.<field>}), and the
 * {@link PacketTrace} that Spring's own parameter resolver injects where it claims a parameter
 * (every constructor parameter under {@code @TestConstructor(autowireMode = ALL)}): two resolvers
 * claiming one parameter would fail the test, so TracePackets steps back there and gives Spring a
 * {@code PacketTrace} to inject.
 * <p>
 * Only test classes that Spring's extension runs ({@code @SpringBootTest}, {@code @SpringJUnitConfig},
 * {@code @ExtendWith(SpringExtension.class)}) are asked; their context is the one Spring loaded (or
 * takes from its cache) for the test.
 */
final class SpringTestContext {

	private static final String SPRING_EXTENSION = "org.springframework.test.context.junit.jupiter.SpringExtension";
	private static final String LISTABLE_BEAN_FACTORY = "org.springframework.beans.factory.ListableBeanFactory";
	private static final String CONFIGURABLE_BEAN_FACTORY =
			"org.springframework.beans.factory.config.ConfigurableListableBeanFactory";
	private static final String APPLICATION_CONTEXT = "org.springframework.context.ApplicationContext";
	private static final String OBJECT_FACTORY = "org.springframework.beans.factory.ObjectFactory";
	/** How Spring Boot names the bean of an {@code @ImportTestcontainers} field. */
	private static final String IMPORTED_FIELD_PREFIX = "importTestContainer.";

	private SpringTestContext() {
	}

	/** Whether Spring's extension runs this test's class (or an enclosing one). */
	static boolean applies(ExtensionContext context) {
		for (Optional<Class<?>> type = context.getTestClass(); type.isPresent();
				type = Optional.ofNullable(type.get().getEnclosingClass())) {
			boolean spring = AnnotationSupport.findRepeatableAnnotations(type.get(), ExtendWith.class).stream()
					.flatMap(extendWith -> Arrays.stream(extendWith.value()))
					.anyMatch(extension -> extension.getName().equals(SPRING_EXTENSION));
			if (spring) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The container beans of the test's context, by the name a test uses for them: the bean's name,
	 * or for an {@code @ImportTestcontainers} field the field's name.
	 */
	static Map<String, Container<?>> containerBeans(ExtensionContext context) {
		Object applicationContext = applicationContext(context);
		Map<?, ?> beans = (Map<?, ?>) invoke(method(context, LISTABLE_BEAN_FACTORY, "getBeansOfType", Class.class),
				applicationContext, Container.class);
		Map<String, Container<?>> byName = new LinkedHashMap<>();
		beans.forEach((name, bean) -> byName.put(shownName((String) name), (Container<?>) bean));
		return byName;
	}

	/** {@code importTestContainer.com.example.Boxes.netbox} → {@code netbox}; other names as they are. */
	static String shownName(String beanName) {
		return beanName.startsWith(IMPORTED_FIELD_PREFIX) ? beanName.substring(beanName.lastIndexOf('.') + 1)
				: beanName;
	}

	/** Whether Spring's parameter resolver claims this parameter (then TracePackets' must not). */
	static boolean claims(ParameterContext parameter, ExtensionContext context) {
		try {
			Class<?> extensionType = load(context, SPRING_EXTENSION);
			Object extension = extensionType.getConstructor().newInstance();
			Method supports = extensionType.getMethod("supportsParameter", ParameterContext.class,
					ExtensionContext.class);
			return (Boolean) supports.invoke(extension, parameter, context);
		} catch (ReflectiveOperationException e) {
			throw failure("ask Spring's extension whether it resolves " + parameter.getParameter(), e);
		}
	}

	/**
	 * Lets Spring inject a {@link PacketTrace} into what it autowires: a proxy that hands each call
	 * to the trace of the test running at that moment ({@code current}), so that one injected in a
	 * constructor, before the trace exists, is the test's own when the test uses it.
	 */
	static void offerTrace(ExtensionContext context, Supplier<PacketTrace> current) {
		Object applicationContext = applicationContext(context);
		Object beanFactory = invoke(method(context, APPLICATION_CONTEXT, "getAutowireCapableBeanFactory"),
				applicationContext);
		Class<?> objectFactory = load(context, OBJECT_FACTORY);
		// Serializable: Spring then injects a proxy of PacketTrace that asks the factory at each call,
		// not the factory's answer at injection time.
		Object factory = Proxy.newProxyInstance(objectFactory.getClassLoader(),
				new Class<?>[] {objectFactory, Serializable.class}, (proxy, method, args) -> switch (method.getName()) {
					case "getObject" -> current.get();
					case "hashCode" -> System.identityHashCode(proxy);
					case "equals" -> proxy == args[0];
					default -> "the PacketTrace of the running test";
				});
		invoke(method(context, CONFIGURABLE_BEAN_FACTORY, "registerResolvableDependency", Class.class, Object.class),
				beanFactory, PacketTrace.class, factory);
	}

	private static Object applicationContext(ExtensionContext context) {
		return invoke(method(context, SPRING_EXTENSION, "getApplicationContext", ExtensionContext.class), null,
				context);
	}

	private static Method method(ExtensionContext context, String type, String name, Class<?>... parameters) {
		try {
			return load(context, type).getMethod(name, parameters);
		} catch (NoSuchMethodException e) {
			throw failure("find " + type + "." + name, e);
		}
	}

	private static Class<?> load(ExtensionContext context, String type) {
		ClassLoader loader = context.getRequiredTestClass().getClassLoader();
		try {
			return Class.forName(type, false, loader);
		} catch (ClassNotFoundException e) {
			throw failure("load " + type, e);
		}
	}

	private static Object invoke(Method method, Object target, Object... args) {
		try {
			return method.invoke(target, args);
		} catch (InvocationTargetException e) {
			if (e.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw failure("call " + method, e.getCause());
		} catch (IllegalAccessException e) {
			throw failure("call " + method, e);
		}
	}

	private static RuntimeException failure(String what, Throwable cause) {
		return new ExtensionConfigurationException("@TracePackets cannot " + what + " of this Spring test ("
				+ cause + "): this Spring version is not one TracePackets knows (it is tested with Spring Framework 7,"
				+ " Spring Boot 4); scope the containers with trace.scope(bean) instead", cause);
	}

	/** Thrown by the injected trace when it is used outside a test method. */
	static TracePacketsException noRunningTest() {
		return new TracePacketsException("the PacketTrace that Spring injected is used outside a test method (in a"
				+ " constructor, @BeforeAll or another thread): it is the trace of the test that runs at the time of the"
				+ " call; use it in @BeforeEach, the test method or @AfterEach");
	}
}
