package io.tracepackets.internal.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracepackets.KernelTest;
import io.tracepackets.TracePacketsException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

@KernelTest
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
