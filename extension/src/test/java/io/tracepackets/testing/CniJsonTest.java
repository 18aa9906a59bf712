package io.tracepackets.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CNI protocol's JSON, read and written back as a runtime splices results into configurations. */
class CniJsonTest {

	@Test
	void should_read_a_plugin_result_and_write_it_back_in_the_same_key_order() {
		String result = """
				{
				    "cniVersion": "1.0.0",
				    "interfaces": [ { "name": "cni0", "mac": "8a:65:f6:91:90:03" },
				                    { "name": "eth0", "sandbox": "/run/netns/pod" } ],
				    "ips": [ { "interface": 1, "address": "10.88.0.2/24", "gateway": "10.88.0.1" } ],
				    "dns": {}, "ok": true, "none": null, "rate": 1.5e3, "note": "a \\"quoted\\" \\u00e9\\n"
				}
				""";

		Object parsed = CniJson.parse(result);

		Map<String, Object> object = CniJson.object(parsed, "the result");
		assertThat(object.keySet()).containsExactly("cniVersion", "interfaces", "ips", "dns", "ok", "none", "rate", "note");
		assertThat(CniJson.object(((List<?>) object.get("ips")).getFirst(), "ip")).containsEntry("interface", 1L)
				.containsEntry("address", "10.88.0.2/24");
		assertThat(object.get("note")).isEqualTo("a \"quoted\" é\n");
		assertThat(CniJson.write(parsed)).isEqualTo("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"cni0\",\"mac\":\"8a:65:f6:91:90:03\"},{\"name\":\"eth0\",\"sandbox\":\"/run/netns/pod\"}],\"ips\":[{\"interface\":1,\"address\":\"10.88.0.2/24\",\"gateway\":\"10.88.0.1\"}],\"dns\":{},\"ok\":true,\"none\":null,\"rate\":1500,\"note\":\"a \\\"quoted\\\" é\\n\"}");
		assertThat(CniJson.write(CniJson.parse(CniJson.write(parsed)))).isEqualTo(CniJson.write(parsed));
	}

	@Test
	void should_name_where_a_document_is_not_json() {
		assertThatIllegalArgumentException().isThrownBy(() -> CniJson.parse("{\"type\": \"bridge\",}"))
				.withMessage("invalid JSON at offset 18: expected a member name in quotes near \"{\"type\": \"bridge\",}\"");
		assertThatIllegalArgumentException().isThrownBy(() -> CniJson.parse("[1, 2] 3"))
				.withMessageStartingWith("invalid JSON at offset 7: expected the end of the document");
	}
}
