package io.tracepackets.samples.support;

import io.tracepackets.testing.VethNamespaces;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * A fresh {@link VethNamespaces} pair for each test, in every instance field of that type the test
 * class (or a superclass) declares: what the samples would otherwise write as a {@code @BeforeEach}
 * that creates the pair and an {@code @AfterEach} that closes it.
 *
 * <pre>{@code
 * @ExtendWith(VethNamespacesPerTest.class)
 * class MyTest {
 *     VethNamespaces network;   // made before each test's @BeforeEach methods, deleted after it
 * }
 * }</pre>
 *
 * The pair is made before the class's own {@code @BeforeEach} methods run, so they may use it, and
 * is kept in the test's {@link ExtensionContext.Store}, which closes it (deleting both namespaces)
 * when the test is done, after every {@code @AfterEach}.
 */
public final class VethNamespacesPerTest implements BeforeEachCallback {

	private static final Namespace NAMESPACE = Namespace.create(VethNamespacesPerTest.class);

	@Override
	public void beforeEach(ExtensionContext context) throws IllegalAccessException {
		Object test = context.getRequiredTestInstance();
		for (Field field : ReflectionSupport.findFields(context.getRequiredTestClass(),
				f -> f.getType() == VethNamespaces.class && !Modifier.isStatic(f.getModifiers()),
				HierarchyTraversalMode.TOP_DOWN)) {
			VethNamespaces pair = VethNamespaces.create();
			context.getStore(NAMESPACE).put(field, pair);
			field.setAccessible(true);
			field.set(test, pair);
		}
	}
}
