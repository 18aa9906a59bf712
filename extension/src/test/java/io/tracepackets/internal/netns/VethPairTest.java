package io.tracepackets.internal.netns;

import io.tracepackets.KernelTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of tests that share one {@link VethPair} per class: made before, deleted after. Making one
 * needs root, so these are {@link KernelTest}s: skipped, or failed in strict mode, without it.
 */
@KernelTest
public abstract class VethPairTest {

	protected static VethPair pair;

	@BeforeAll
	static void createNamespaces() {
		pair = VethPair.create();
	}

	@AfterAll
	static void deleteNamespaces() {
		if (pair != null) {
			pair.close();
			pair = null;
		}
	}
}
