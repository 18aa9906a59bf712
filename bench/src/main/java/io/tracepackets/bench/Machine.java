package io.tracepackets.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** The facts a reader needs to compare this run with theirs. */
record Machine(String kernel, int cpus, String cpuModel, String date, String jdk, String bpftrace, String revision) {

	/** {@code revision}: the TracePackets commit measured, as scripts/bench passes it. */
	static Machine describe(String revision) {
		return new Machine(Commands.tryRun("?", "uname", "-r"), Runtime.getRuntime().availableProcessors(), readCpuModel(),
				ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME),
				System.getProperty("java.vm.vendor") + " " + Runtime.version(),
				Commands.tryRun("not installed", "bpftrace", "--version"), revision);
	}

	private static String readCpuModel() {
		try {
			return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
					.map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("?");
		} catch (IOException e) {
			return "?";
		}
	}
}
