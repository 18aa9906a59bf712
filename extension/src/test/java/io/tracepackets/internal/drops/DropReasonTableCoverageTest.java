package io.tracepackets.internal.drops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every reason of the kernels the project knows has an entry, whatever kernel runs the build: the
 * lists of Debian's 6.1, 6.12 and 7.3 (the newest; the VM suite boots them) are copied from those
 * kernels' headers into test resources, and the host's 6.18 from its BTF. Kernels before 5.17 have
 * no reasons. This, not the running kernel, decides whether the table is complete: a kernel newer
 * than the table must not turn a build red (DropReasonTableLiveTest reports its new reasons).
 */
class DropReasonTableCoverageTest {

	@ParameterizedTest
	@ValueSource(strings = { "reasons-6.1.txt", "reasons-6.12.txt", "reasons-6.18.txt", "reasons-7.3.txt" })
	void should_have_an_entry_for_every_reason_of(String kernelList) throws IOException {
		// GIVEN
		List<String> reasons = names(kernelList);
		DropReasonTable table = DropReasonTable.load();

		// WHEN
		List<String> missing = reasons.stream().filter(name -> table.entry(name).isEmpty()).toList();

		// THEN
		assertThat(reasons).hasSizeGreaterThan(60).contains("NOT_SPECIFIED", "NETFILTER_DROP", "MAX");
		assertThat(missing).as("reasons of %s without an entry in drop-reasons.tsv", kernelList).isEmpty();
	}

	private static List<String> names(String resource) throws IOException {
		try (InputStream in = DropReasonTableCoverageTest.class.getResourceAsStream(resource)) {
			assertThat(in).as(resource).isNotNull();
			return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
					.map(String::strip)
					.filter(line -> !line.isEmpty() && !line.startsWith("#"))
					.toList();
		}
	}
}
