package io.tracepackets.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.tracepackets.testing.VethNamespaces;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * What every test of the built jar needs before its first test: root (BPF, network namespaces;
 * skipped without it, failed in strict mode), the shaded jar, and one veth pair for the whole
 * class, set into its static {@link VethNamespaces} field. The pair lives in the class's
 * {@link ExtensionContext.Store}, which deletes both namespaces when the class is done.
 */
final class JarAndNamespaces implements BeforeAllCallback {

	private static final Namespace NAMESPACE = Namespace.create(JarAndNamespaces.class);

	/** Strict mode (CI=true or -Dtracepackets.strict=true): a missing capability fails, never skips. */
	static boolean strict() {
		return Boolean.getBoolean("tracepackets.strict") || "true".equals(System.getenv("CI"));
	}

	@Override
	public void beforeAll(ExtensionContext context) throws IOException, IllegalAccessException {
		boolean root = new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes(),
				StandardCharsets.US_ASCII).strip().equals("0");
		if (strict()) {
			assertThat(root).as("the command line traces with BPF: run the tests as root").isTrue();
		}
		assumeThat(root).as("root (BPF, network namespaces)").isTrue();
		assertThat(CliJarTest.JAR).as("the shaded jar (./mvnw -pl extension,cli -am package)").exists();
		for (Field field : ReflectionSupport.findFields(context.getRequiredTestClass(),
				f -> f.getType() == VethNamespaces.class && Modifier.isStatic(f.getModifiers()),
				HierarchyTraversalMode.TOP_DOWN)) {
			VethNamespaces pair = VethNamespaces.create();
			context.getStore(NAMESPACE).put(field, pair);
			field.setAccessible(true);
			field.set(null, pair);
		}
	}
}
