package io.tracepackets.internal.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What an LLVM tool prints about a BPF object the build compiled (its debug information, its
 * symbols, its relocations), for tests that check the object against the Java side. The tools come
 * with llvm, which building the objects needs anyway.
 */
public final class ObjectDump {

	private ObjectDump() {
	}

	/**
	 * The lines {@code tool} prints for {@code object} with {@code options}; {@code what} says what
	 * the test reads there, for the failure when the tool is missing.
	 */
	public static List<String> lines(String tool, Path object, String what, String... options)
			throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of(tool));
		command.addAll(List.of(options));
		command.add(object.toString());
		Path output = Files.createTempFile("tp_object", ".dump");
		try {
			Process process;
			try {
				process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
			} catch (IOException e) {
				throw new AssertionError(tool + " is needed to read " + what + " from " + object
						+ " (apt-get install llvm, as for building the BPF objects): " + e, e);
			}
			try {
				assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", tool).isTrue();
				List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
				assertThat(process.exitValue()).as("%s exit status, output:%n%s", tool, String.join("\n", lines))
						.isZero();
				return lines;
			} finally {
				// a process the test started ends with it, whatever the outcome
				process.destroyForcibly();
			}
		} finally {
			Files.deleteIfExists(output);
		}
	}
}
