package io.tracepackets.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracepackets.TracePacketsException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a network configuration list that cannot work says, before any namespace is made. */
class CniNetworkTest {

	@Test
	void should_say_which_plugin_is_missing_and_how_to_install_it(@TempDir Path plugins) {
		assertThatThrownBy(() -> CniNetwork.create("""
				{"cniVersion": "1.0.0", "name": "pods", "plugins": [{"type": "bridge"}]}
				""", plugins)).isInstanceOf(TracePacketsException.class)
				.hasMessage("CNI plugin bridge of network pods is not in " + plugins
						+ ": install the reference plugins (apt-get install containernetworking-plugins)"
						+ " or name their directory: CniNetwork.create(conflist, Path.of(...))");
	}

	@Test
	void should_quote_the_json_error_of_a_broken_list(@TempDir Path plugins) {
		assertThatThrownBy(() -> CniNetwork.create("{\"cniVersion\": \"1.0.0\", \"name\": \"pods\" \"plugins\": []}",
				plugins)).isInstanceOf(TracePacketsException.class)
				.hasMessageStartingWith("CNI network configuration list: invalid JSON at offset 39: expected '}'");
	}

	@Test
	void should_say_that_a_single_plugin_config_is_not_a_list(@TempDir Path plugins) {
		assertThatThrownBy(() -> CniNetwork.create("{\"cniVersion\": \"1.0.0\", \"name\": \"pods\", \"type\": \"bridge\"}",
				plugins)).isInstanceOf(TracePacketsException.class)
				.hasMessageStartingWith("CNI network configuration list pods has no \"plugins\": a .conflist lists its plugins");
	}
}
