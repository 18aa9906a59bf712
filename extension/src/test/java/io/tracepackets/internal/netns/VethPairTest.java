package io.tracepackets.internal.netns;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base of tests that share one {@link VethPair} per class: made before, deleted after. */
public abstract class VethPairTest {

	protected static VethPair pair;

	@BeforeAll
	static void createNamespaces() {
		VethPair.assumeRoot();
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
