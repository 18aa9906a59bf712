package io.tracepackets.internal.netns;

import io.tracepackets.KernelTest;
import io.tracepackets.testing.VethNamespaces;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

@KernelTest
class InterfaceNamesTest extends VethPairTest {

	@Test
	void eachNamespaceSeesItsOwnInterfaces() {
		InterfaceNames names = new InterfaceNames();

		Map<Integer, String> inA = names.all(pair.a());
		Map<Integer, String> inB = names.all(pair.b());

		assertThat(inA).containsValues("lo", pair.aInterface()).doesNotContainValue(pair.bInterface());
		assertThat(inB).containsValues("lo", pair.bInterface()).doesNotContainValue(pair.aInterface());
		assertThat(names.name(pair.a(), 1)).contains("lo");
	}

	@Test
	void theSameIndexNamesDifferentInterfacesPerNamespace() {
		InterfaceNames names = new InterfaceNames();
		int vethIndexInA = indexOf(names.all(pair.a()), pair.aInterface());

		assertThat(names.name(pair.a(), vethIndexInA)).contains(pair.aInterface());
		assertThat(names.name(pair.b(), vethIndexInA)).isNotEqualTo(names.name(pair.a(), vethIndexInA));
	}

	@Test
	void anInterfaceAddedLaterIsFoundByRefreshingOnAMiss() {
		InterfaceNames names = new InterfaceNames();
		assertThat(names.all(pair.a())).doesNotContainKey(1000);
		// veth, not dummy: this kernel has no dummy driver.
		VethNamespaces.ip("-n", pair.aName(), "link", "add", "tplate0", "index", "1000", "type", "veth", "peer", "name",
				"tplate1");
		try {
			assertThat(names.name(pair.a(), 1000)).contains("tplate0");
		} finally {
			VethNamespaces.ip("-n", pair.aName(), "link", "del", "tplate0");
		}
	}

	@Test
	void anUnknownIndexFallsBackToItsNumber() {
		InterfaceNames names = new InterfaceNames();

		assertThat(names.name(pair.b(), 99_999)).isEmpty();
		assertThat(names.nameOrIndex(pair.b(), 99_999)).isEqualTo("if99999");
	}

	private static int indexOf(Map<Integer, String> names, String name) {
		return names.entrySet().stream().filter(e -> e.getValue().equals(name)).findFirst().orElseThrow().getKey();
	}
}
