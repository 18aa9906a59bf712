package io.tracepackets;

import io.tracepackets.testing.VethNamespaces;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A {@link VethNamespaces} pair for each test that takes one as a parameter, deleted after the test
 * whatever its outcome (the store closes it): the kernel tests' network without a field and two
 * lifecycle methods in each class.
 */
public final class PerTestNetwork implements ParameterResolver {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PerTestNetwork.class);

	@Override
	public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
		return parameter.getParameter().getType() == VethNamespaces.class;
	}

	@Override
	public VethNamespaces resolveParameter(ParameterContext parameter, ExtensionContext context) {
		return context.getStore(NAMESPACE).computeIfAbsent(context.getUniqueId(), key -> VethNamespaces.create(),
				VethNamespaces.class);
	}
}
