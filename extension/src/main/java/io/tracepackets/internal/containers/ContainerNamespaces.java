package io.tracepackets.internal.containers;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import io.tracepackets.TracePacketsException;
import io.tracepackets.internal.netns.NetworkNamespace;
import org.testcontainers.containers.Container;

/**
 * Finds the network namespace of a Testcontainers container: Docker reports the pid of the
 * container's init process, whose {@code /proc/<pid>/ns/net} is the container's namespace.
 */
public final class ContainerNamespaces {

	private ContainerNamespaces() {
	}

	/**
	 * The network namespace of {@code container}, labelled {@code "container <name> (<id>, pid N)"}.
	 *
	 * @throws TracePacketsException when the container was never started or has stopped
	 */
	public static NetworkNamespace of(Container<?> container) {
		String id = container.getContainerId();
		if (id == null) {
			throw notRunning(describe(container, null));
		}
		InspectContainerResponse info;
		try {
			// Inspect afresh: the info Testcontainers cached at start misses a later stop or restart.
			info = container.getDockerClient().inspectContainerCmd(id).exec();
		} catch (NotFoundException e) {
			throw notRunning(describe(container, id) + " (removed)");
		}
		String name = describe(container, id, info.getName());
		InspectContainerResponse.ContainerState state = info.getState();
		Long pid = state == null ? null : state.getPidLong();
		if (state == null || !Boolean.TRUE.equals(state.getRunning()) || pid == null || pid <= 0) {
			throw notRunning(name + (state == null ? "" : " (status " + state.getStatus() + ")"));
		}
		return NetworkNamespace.ofPid(pid, "container " + name + " (pid " + pid + ")");
	}

	private static TracePacketsException notRunning(String what) {
		return new TracePacketsException("container " + what
				+ " is not running: start it before the test (@Container field or start()) and keep it running"
				+ " while its traffic is traced");
	}

	private static String describe(Container<?> container, String id) {
		return describe(container, id, null);
	}

	private static String describe(Container<?> container, String id, String name) {
		String shortId = id == null ? null : id.substring(0, Math.min(12, id.length()));
		if (name != null && !name.isBlank()) {
			return name.replaceFirst("^/", "") + " (" + shortId + ")";
		}
		String image = container.getDockerImageName();
		return shortId != null ? shortId + " (" + image + ")" : image;
	}
}
