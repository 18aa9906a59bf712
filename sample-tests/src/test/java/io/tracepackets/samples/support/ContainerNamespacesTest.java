package io.tracepackets.samples.support;

import io.tracepackets.KernelTest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracepackets.TracePacketsException;
import io.tracepackets.internal.containers.ContainerNamespaces;
import io.tracepackets.internal.netns.InterfaceNames;
import io.tracepackets.internal.netns.NetnsRunner;
import io.tracepackets.internal.netns.NetworkNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The Testcontainers bridge: a container's network namespace, and the errors for stopped ones. */
@KernelTest
class ContainerNamespacesTest {

	@Test
	void aRunningContainerHasItsOwnNamespace() throws Exception {
		try (NetboxContainer netbox = new NetboxContainer()) {
			netbox.start();
			long pid = netbox.getContainerInfo().getState().getPidLong();

			NetworkNamespace netns = ContainerNamespaces.of(netbox);

			assertThat(netns.inode()).isEqualTo(Files.getAttribute(Path.of("/proc/" + pid + "/ns/net"), "unix:ino"));
			assertThat(netns).isNotEqualTo(NetworkNamespace.current());
			assertThat(netns.label()).startsWith("container ").contains(netbox.getContainerName().replaceFirst("^/", ""))
					.contains("pid " + pid);
			assertThat(NetnsRunner.call(netns, NetworkNamespace::currentThreadInode)).isEqualTo(netns.inode());
			assertThat(new InterfaceNames().all(netns)).containsValues("lo", "eth0");
		}
	}

	@Test
	void aContainerNeverStartedIsNotRunning() {
		try (NetboxContainer netbox = new NetboxContainer()) {
			assertThatThrownBy(() -> ContainerNamespaces.of(netbox))
					.isInstanceOf(TracePacketsException.class)
					.hasMessageContaining("is not running: start it before the test (@Container field or start())");
		}
	}

	@Test
	void aStoppedContainerIsNotRunning() {
		NetboxContainer netbox = new NetboxContainer();
		netbox.start();
		String id = netbox.getContainerId();
		// Stop without removing, as a crashed container would be.
		netbox.getDockerClient().stopContainerCmd(id).withTimeout(1).exec();
		try {
			assertThatThrownBy(() -> ContainerNamespaces.of(netbox))
					.isInstanceOf(TracePacketsException.class)
					.hasMessageContaining(id.substring(0, 12))
					.hasMessageContaining("is not running: start it before the test");
		} finally {
			netbox.stop();
		}
	}

	@Test
	void aMissingImageFailsFastAndSaysHowToBuildIt() {
		try (NetboxContainer netbox = new NetboxContainer("tracepackets/no-such-image:local")) {
			assertThatThrownBy(netbox::start)
					.hasMessageContaining("image tracepackets/no-such-image:local not found: run scripts/images/build");
		}
	}
}
