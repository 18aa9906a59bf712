package io.tracepackets.internal.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracepackets.TracePacketsException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NetworkNamespaceTest extends VethPairTest {

	@Test
	void ofPathThenOfInodeFindsTheSameNamespace() {
		NetworkNamespace a = NetworkNamespace.ofPath(Path.of("/run/netns", pair.aName()));

		NetworkNamespace found = NetworkNamespace.ofInode(a.inode());

		assertThat(found).isEqualTo(a);
		assertThat(found.inode()).isEqualTo(a.inode());
		assertThat(found.path()).isEqualTo(Path.of("/run/netns", pair.aName()));
		assertThat(a.label()).contains(pair.aName());
	}

	@Test
	void namespacesOfThePairDifferFromEachOtherAndFromThisJvm() {
		assertThat(pair.a()).isNotEqualTo(pair.b());
		assertThat(pair.a()).isNotEqualTo(NetworkNamespace.current());
		assertThat(pair.a().isAlive()).isTrue();
	}

	@Test
	void ofInodeFindsAProcessNamespace() {
		NetworkNamespace self = NetworkNamespace.current();

		NetworkNamespace found = NetworkNamespace.ofInode(self.inode());

		assertThat(found.inode()).isEqualTo(self.inode());
		assertThat(found.isAlive()).isTrue();
	}

	@Test
	void hostIsThatOfPidOneOrOfKthreadd() {
		NetworkNamespace host = NetworkNamespace.host();

		// This sandbox denies reading pid 1's namespace; kthreadd (pid 2) stands in for it.
		assertThat(host.path()).isIn(Path.of("/proc/1/ns/net"), Path.of("/proc/2/ns/net"));
		assertThat(host.label()).isEqualTo("host");
		assertThat(NetnsRunner.call(host, NetworkNamespace::currentThreadInode)).isEqualTo(host.inode());
		// The test JVM runs in the host's namespace on this machine.
		assertThat(NetworkNamespace.current()).isEqualTo(host);
		assertThat(NetworkNamespace.currentThreadInode()).isEqualTo(host.inode());
	}

	@Test
	void aPidThatDoesNotExistIsNotRunning() {
		assertThatThrownBy(() -> NetworkNamespace.ofPid(999_999_999L))
				.isInstanceOf(TracePacketsException.class)
				.hasMessageContaining("process 999999999 is not running")
				.hasMessageContaining("/proc/999999999/ns/net does not exist");
	}

	@Test
	void aContainerLabelAppearsInTheError() {
		assertThatThrownBy(() -> NetworkNamespace.ofPid(0, "container web"))
				.isInstanceOf(TracePacketsException.class)
				.hasMessageStartingWith("container web is not running");
	}

	@Test
	void anUnknownInodeSaysNothingHoldsIt() {
		assertThatThrownBy(() -> NetworkNamespace.ofInode(1L))
				.isInstanceOf(TracePacketsException.class)
				.hasMessageContaining("no network namespace with inode 1");
	}

	@Test
	void aDeletedNamespaceIsNoLongerAlive() {
		try (VethPair other = VethPair.create()) {
			NetworkNamespace doomed = other.a();
			other.close();

			assertThat(doomed.isAlive()).isFalse();
			assertThatThrownBy(() -> NetnsRunner.call(doomed, () -> 1))
					.isInstanceOf(TracePacketsException.class)
					.hasMessageContaining("is not running");
		}
	}
}
