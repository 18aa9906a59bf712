package io.tracepackets.internal.containers;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import io.tracepackets.TracePacketsException;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.Container;

/**
 * Finds the network namespace of a Testcontainers container, identified, never guessed.
 * <p>
 * The engine reports the pid of the container's init process as the engine's own pid namespace
 * numbers it. Where this JVM shares that pid namespace (a developer's machine, a CI runner VM),
 * {@code /proc/<pid>/ns/net} is the container's namespace; where it does not (a job container
 * with the engine's socket, Docker-in-Docker), that pid means nothing here, or worse, is another
 * process, whose namespace would be traced instead while negative assertions pass. So the pid is
 * used only when {@code /proc/<pid>/cgroup} names the container's id; otherwise the engine is
 * asked, from inside the container's namespace ({@link EngineView}), for the namespace's nsfs
 * inode (the same number in every pid namespace of one kernel) and the kernel's boot id, which
 * proves that the engine runs on this JVM's kernel at all.
 */
public final class ContainerNamespaces {

	private static final Logger LOG = LoggerFactory.getLogger(ContainerNamespaces.class);

	private ContainerNamespaces() {
	}

	/**
	 * The network namespace of {@code container}, labelled {@code "container <name> (<id>) (pid N)"}.
	 *
	 * @throws TracePacketsException when the container was never started or has stopped
	 * @throws TracingUnavailableException when the engine runs on another kernel, or its answer
	 *     cannot be had
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
		Optional<NetworkNamespace> proven = ContainerProcess.namespace(Path.of("/proc"), pid, id,
				"container " + name + " (pid " + pid + ")");
		if (proven.isPresent()) {
			return proven.get();
		}
		HelperContainer helper = new HelperContainer(container.getDockerClient(),
				Integer.toHexString(System.identityHashCode(container.getDockerClient())), id, name);
		EngineView view = EngineView.ask(container, name, helper);
		NetworkNamespace netns = identify(view, localBootId(), name, pid, info.getNetworkSettings() == null ? null
				: info.getNetworkSettings().getSandboxKey());
		if (!netns.reachable()) {
			netns = netns.withEntry(helper);
		}
		LOG.info("{}: the engine's pid {} is not this container's process in this JVM's pid namespace; its network"
				+ " namespace (inode {}) was found through the engine{}", name, pid, netns.inode(),
				netns.reachable() ? " and is entered through " + netns.path()
						: ", and this JVM cannot enter it: its tools run there in helper containers");
		return netns;
	}

	/**
	 * Turns the engine's answer into the namespace: refused when the engine runs on another kernel
	 * (an inode of another kernel would scope nothing here, and every negative assertion would pass),
	 * else the namespace with that inode, entered through whatever this JVM can open that leads to it
	 * (the engine's bind mount, {@code sandboxKey}, when this JVM shares the engine's mounts; any
	 * process of this JVM's pid namespace in it), or none.
	 */
	static NetworkNamespace identify(EngineView view, String localBootId, String name, long enginePid,
			String sandboxKey) {
		if (!view.bootId().equals(localBootId)) {
			throw new TracingUnavailableException("the network namespace of container " + name,
					"its engine runs on another machine or kernel (the container's kernel boot id is " + view.bootId()
							+ ", this JVM's is " + localBootId + "), and eBPF sees only the kernel this JVM runs on:"
							+ " run the tests on the engine's machine, with DOCKER_HOST pointing at an engine on this"
							+ " kernel (the host's socket, or Docker-in-Docker on this machine)");
		}
		String label = "container " + name + " (pid " + enginePid + " in the engine's pid namespace)";
		if (sandboxKey != null && !sandboxKey.isBlank()) {
			Optional<NetworkNamespace> mounted = NetworkNamespace.atPathIfInode(Path.of(sandboxKey), view.netnsInode(),
					label);
			if (mounted.isPresent()) {
				return mounted.get();
			}
		}
		return NetworkNamespace.find(view.netnsInode())
				.map(found -> found.relabel(label))
				.orElseGet(() -> NetworkNamespace.unreachable(view.netnsInode(), label, "this JVM cannot enter the"
						+ " network namespace of container " + name + " (inode " + view.netnsInode() + "): the engine's"
						+ " pid " + enginePid + " is not a process of this JVM's pid namespace, and neither "
						+ (sandboxKey == null || sandboxKey.isBlank() ? "the engine's namespace bind mount" : sandboxKey)
						+ " nor any process here leads to it (the engine is Docker-in-Docker, or this JVM runs in a"
						+ " container without the engine's pid namespace): its packets are traced, and its rules,"
						+ " interfaces and udp().send() go through helper containers sharing it, but no socket"
						+ " of this JVM can be made in it (TCP, HTTP, UDP requests from inside it); run the JVM in"
						+ " the engine's pid namespace (docker run --pid=host, or next to the engine) to do these"));
	}

	/** This JVM's kernel boot id: random at each boot, the same in every container of one kernel. */
	static String localBootId() {
		try {
			return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
		} catch (IOException e) {
			throw new TracingUnavailableException("the kernel's boot id",
					"cannot read /proc/sys/kernel/random/boot_id (" + e.getMessage() + "), which proves that the"
							+ " engine runs on this kernel: mount /proc", e);
		}
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
