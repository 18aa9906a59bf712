package io.tracepackets.internal.containers;

import io.tracepackets.TracePacketsException;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The network namespace of a Docker container known by its name or id, for the command line
 * ({@code --container NAME|ID}), which has no Testcontainers {@code Container} to ask. The engine is
 * asked with the {@code docker} command (so {@code DOCKER_HOST} and contexts apply as they do at the
 * shell), and the answer goes through the same proof as a test's container: the engine's pid only
 * when its cgroup names the container ({@link ContainerProcess}), else the engine's view from inside
 * the container and the kernel's boot id ({@link EngineView}, {@link ContainerNamespaces#identify}).
 */
public final class NamedContainer {

	private static final long TIMEOUT_SECONDS = 30;
	private static final String FIELDS = "{{.Id}}|{{.Name}}|{{.State.Running}}|{{.State.Pid}}|{{.State.Status}}"
			+ "|{{.NetworkSettings.SandboxKey}}";

	private NamedContainer() {
	}

	/**
	 * The namespace of the running container {@code reference} (a name, an id or an id's prefix),
	 * labelled {@code "container <name> (<id>) (pid N)"}.
	 *
	 * @throws TracePacketsException when there is no such container, or it is not running
	 * @throws TracingUnavailableException when the engine cannot be asked, or runs on another kernel
	 */
	public static NetworkNamespace namespace(String reference) {
		String[] fields = docker(reference, "inspect", "--type", "container", "--format", FIELDS, reference).strip()
				.split("\\|", -1);
		if (fields.length != 6) {
			throw new TracingUnavailableException("the network namespace of container " + reference,
					"docker inspect answered '" + String.join("|", fields) + "', not the fields asked for");
		}
		String id = fields[0];
		String name = fields[1].replaceFirst("^/", "") + " (" + id.substring(0, Math.min(12, id.length())) + ")";
		long pid = parsePid(fields[3]);
		if (!"true".equals(fields[2]) || pid <= 0) {
			throw new TracePacketsException("container " + name + " is not running (status " + fields[4]
					+ "): docker start it, then trace it");
		}
		Optional<NetworkNamespace> proven = ContainerProcess.namespace(Path.of("/proc"), pid, id,
				"container " + name + " (pid " + pid + ")");
		if (proven.isPresent()) {
			return proven.get();
		}
		EngineView view = EngineView.parse(docker(name, "exec", id, "readlink", "/proc/self/ns/net"),
				docker(name, "exec", id, "cat", "/proc/sys/kernel/random/boot_id"), name);
		return ContainerNamespaces.identify(view, ContainerNamespaces.localBootId(), name, pid, fields[5]);
	}

	private static long parsePid(String text) {
		try {
			return Long.parseLong(text.strip());
		} catch (NumberFormatException e) {
			return 0;
		}
	}

	/** Runs {@code docker args...}; its standard output, or a refusal that quotes what it said. */
	private static String docker(String what, String... args) {
		List<String> command = new ArrayList<>(List.of("docker"));
		command.addAll(List.of(args));
		Process process;
		try {
			process = new ProcessBuilder(command).redirectErrorStream(false).start();
		} catch (IOException e) {
			throw new TracingUnavailableException("the network namespace of container " + what,
					"the docker command, which asks the engine about it, cannot run (" + e.getMessage()
							+ "): install the Docker CLI, or give the namespace with --netns /proc/PID/ns/net");
		}
		try {
			process.getOutputStream().close();
			String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
			if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new TracingUnavailableException("the network namespace of container " + what,
						"docker " + args[0] + " did not answer within " + TIMEOUT_SECONDS + " s");
			}
			if (process.exitValue() != 0) {
				if (args[0].equals("inspect") && err.toLowerCase(java.util.Locale.ROOT).contains("no such")) {
					throw new TracePacketsException("no container " + what + ": docker ps lists the running ones"
							+ " (NAMES, CONTAINER ID)");
				}
				throw new TracingUnavailableException("the network namespace of container " + what,
						String.join(" ", command) + " failed (exit " + process.exitValue() + ": " + err + ")"
								+ (args[0].equals("exec") ? "; the image needs readlink and cat for this, or run"
										+ " this in the engine's pid namespace" : ""));
			}
			return out;
		} catch (IOException e) {
			throw new TracingUnavailableException("the network namespace of container " + what,
					"reading docker's answer failed: " + e.getMessage(), e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new TracingUnavailableException("the network namespace of container " + what,
					"interrupted while asking docker");
		}
	}
}
