package io.tracepackets.internal.junit;

import static io.tracepackets.PacketFilter.udp;
import static io.tracepackets.assertj.TracePacketsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.tracepackets.Artifacts;
import io.tracepackets.Backend;
import io.tracepackets.KernelTest;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracePackets;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * A failing test's trace files on a disk that fills while they are written (a tmpfs of 256 KiB,
 * all but one page taken): the test's own failure stands, no truncated file is left behind to
 * pass for a trace, and the failure says in one line per file what was not written and why.
 */
@KernelTest
class EvidenceOnAFullDiskTest {

	/** Free space left on the small disk: less than either trace file needs, more than nothing. */
	private static final int FREE_BYTES = 4096;

	private Path disk;

	@TracePackets(hostNetwork = true, backend = Backend.TRACEPOINT, artifacts = Artifacts.ON_FAILURE)
	static class FailsAfterManyDatagrams {
		@Test
		void expects_a_drop_that_does_not_happen(PacketTrace trace) throws Exception {
			try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
				// enough events that neither the JSON lines nor the pcapng fit in one free page
				for (int i = 0; i < 60; i++) {
					socket.send(new DatagramPacket(new byte[8], 8, socket.getLocalSocketAddress()));
				}
			}
			assertThat(trace).packets(udp().dstPort(9999)).wereDropped();
		}
	}

	@BeforeEach
	void mountASmallDiskAndFillIt() throws Exception {
		disk = Files.createTempDirectory("tracepackets-full-disk");
		run("mount", "-t", "tmpfs", "-o", "size=256k", "tracepackets-full-disk", disk.toString());
		long filler = Files.getFileStore(disk).getUsableSpace() - FREE_BYTES;
		try (OutputStream out = Files.newOutputStream(disk.resolve("filler"))) {
			out.write(new byte[(int) filler]);
		}
		assertThat(Files.getFileStore(disk).getUsableSpace()).as("free bytes on the small disk").isEqualTo(FREE_BYTES);
	}

	@AfterEach
	void unmount() throws Exception {
		run("umount", disk.toString());
		Files.delete(disk);
	}

	@Test
	void should_keep_the_failure_remove_partial_files_and_say_what_was_not_written() throws Exception {
		Path output = disk.resolve("reports");

		// WHEN a traced test fails and its trace does not fit on the disk
		List<Event> failed = EngineTestKit.engine("junit-jupiter")
				.outputDirectoryCreator(OutputDirectories.under(output))
				.selectors(selectClass(FailsAfterManyDatagrams.class)).execute().testEvents().failed().list();

		// THEN the test still fails with its own assertion first, then one line per file not written
		assertThat(failed).hasSize(1);
		Throwable failure = failed.getFirst().getPayload(TestExecutionResult.class)
				.flatMap(TestExecutionResult::getThrowable).orElseThrow();
		assertThat(failure).isInstanceOf(AssertionError.class);
		String message = failure.getMessage();
		assertThat(message.indexOf("Expecting packets matching:")).as(message).isNotNegative()
				.isLessThan(message.indexOf(" was not written"));
		assertThat(message).containsPattern("The trace, one event per line, was not written to \\S+\\.jsonl: "
						+ "No space left on device; the partial file was removed")
				.containsPattern("The trace for Wireshark \\(pcapng\\) was not written to \\S+\\.pcapng: "
						+ "No space left on device; the partial file was removed")
				.doesNotContain("The trace, one event per line: ").doesNotContain("The trace for Wireshark (pcapng): ")
				.doesNotContain("Failed to publish path");
		// and nothing but the filler is on the disk: no truncated trace passes for a whole one
		try (Stream<Path> files = Files.walk(disk)) {
			assertThat(files.filter(Files::isRegularFile)).containsExactly(disk.resolve("filler"));
		}
	}

	private static void run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes());
		if (process.waitFor() != 0) {
			throw new IOException(String.join(" ", command) + " failed: " + output);
		}
	}
}
