package io.tracepackets.internal.containers;

import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.netns.NamespaceEntry;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.testcontainers.containers.Container;

/**
 * What the engine shows from inside a container: the nsfs inode of its network namespace and the
 * boot id of the kernel it runs on, read by processes the engine starts in the container
 * ({@code docker exec}), which join its namespaces whatever pid namespace this JVM is in, or, where
 * its image has no {@code readlink} and {@code cat} (distroless), by a helper container sharing its
 * network namespace ({@link HelperContainer}).
 *
 * @param netnsInode the inode {@code readlink /proc/self/ns/net} shows there, {@code net:[N]}
 * @param bootId     {@code /proc/sys/kernel/random/boot_id} there
 */
record EngineView(long netnsInode, String bootId) {

	private static final Pattern NET_LINK = Pattern.compile("net:\\[(\\d+)]");
	private static final Pattern BOOT_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

	/**
	 * Asks the engine through {@code docker exec} in {@code container}.
	 *
	 * @throws TracingUnavailableException when neither the container's own tools nor the helper
	 *     can read them
	 */
	static EngineView ask(Container<?> container, String name, NamespaceEntry helper) {
		try {
			String link = exec(container, name, "readlink", "/proc/self/ns/net");
			String bootId = exec(container, name, "cat", "/proc/sys/kernel/random/boot_id");
			return parse(link, bootId, name);
		} catch (TracingUnavailableException withoutTools) {
			// A distroless image: a helper sharing its network namespace (and the engine's kernel) reads both.
			String answer;
			try {
				answer = helper.run(Map.of(), "sh", "-c", "readlink /proc/self/ns/net; cat /proc/sys/kernel/random/boot_id");
			} catch (RuntimeException e) {
				throw unavailable(name, withoutTools.reason() + "; nor could " + helper.how() + " read them: "
						+ e.getMessage());
			}
			String[] lines = (answer.strip() + "\n").split("\n", 2);
			return parse(lines[0], lines[1], name);
		}
	}

	/** Parses the two answers; refused with what was seen when either is not what the kernel writes. */
	static EngineView parse(String link, String bootId, String name) {
		Matcher inode = NET_LINK.matcher(link.strip());
		Matcher boot = BOOT_ID.matcher(bootId.strip());
		if (!inode.matches() || !boot.matches()) {
			throw unavailable(name, "the engine's answers from inside it are not a namespace link and a boot id"
					+ " (readlink /proc/self/ns/net gave '" + link.strip() + "', cat /proc/sys/kernel/random/boot_id"
					+ " gave '" + bootId.strip() + "')");
		}
		return new EngineView(Long.parseLong(inode.group(1)), boot.group());
	}

	private static String exec(Container<?> container, String name, String... command) {
		Container.ExecResult result;
		try {
			result = container.execInContainer(command);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw unavailable(name, "interrupted while asking the engine");
		} catch (Exception e) {
			throw unavailable(name, "the engine refused to run " + String.join(" ", command) + " in it (" + e.getMessage()
					+ ")");
		}
		if (result.getExitCode() != 0) {
			throw unavailable(name, String.join(" ", command) + " failed in it (exit " + result.getExitCode() + ": "
					+ (result.getStderr() + result.getStdout()).strip() + ")");
		}
		return result.getStdout();
	}

	private static TracingUnavailableException unavailable(String name, String why) {
		return new TracingUnavailableException("the network namespace of container " + name,
				"the engine's pid of it is not its process in this JVM's pid namespace (a job container with the"
						+ " engine's socket, or Docker-in-Docker), so its namespace must be asked of the engine, and "
						+ why + "; run the JVM in the engine's pid namespace (docker run --pid=host)");
	}
}
