package io.tracepackets.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BoundedHeapTest {

	@Test
	void should_run_the_same_command_with_a_bounded_heap_before_its_jar() {
		Optional<List<String>> command = BoundedHeap.command(Optional.of("/usr/lib/jvm/jdk-25/bin/java"),
				Optional.of(List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=debug", "-jar", "/opt/tracepackets-cli.jar",
						"--netns", "/run/netns/blue", "udp port 53")));

		assertThat(command).contains(List.of("/usr/lib/jvm/jdk-25/bin/java",
				"-Dorg.slf4j.simpleLogger.defaultLogLevel=debug", "-Xmx128m", "-XX:+UseSerialGC", "-jar",
				"/opt/tracepackets-cli.jar", "--netns", "/run/netns/blue", "udp port 53"));
	}

	@Test
	void should_leave_a_jvm_not_started_with_jar_as_it_is() {
		assertThat(BoundedHeap.command(Optional.of("java"), Optional.of(List.of("-cp", "x.jar", "io.tracepackets.cli.Main"))))
				.isEmpty();
		assertThat(BoundedHeap.command(Optional.of("java"), Optional.empty())).isEmpty();
	}
}
