package io.tracepackets.internal.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracepackets.KernelTest;
import io.tracepackets.TracePacketsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

	@Test
	void aRegularFileWhereANamespaceWasIsRefusedNamingWhatItIs(@TempDir Path dir) throws IOException {
		// A stale /run/netns/<name> left after its namespace was unmounted is such a file.
		Path stale = Files.createFile(dir.resolve("blue"));

		assertThatThrownBy(() -> NetworkNamespace.ofPath(stale))
				.isInstanceOf(TracePacketsException.class)
				.hasMessageStartingWith(stale + " is not a network namespace: it is a regular file")
				.hasMessageContaining("/run/netns/<name> (ip netns add) or /proc/<pid>/ns/net");
	}

	@Test
	void anotherKindOfNamespaceIsRefusedNamingItsKind() {
		Path mnt = Path.of("/proc/self/ns/mnt");

		assertThatThrownBy(() -> NetworkNamespace.ofPath(mnt))
				.isInstanceOf(TracePacketsException.class)
				.hasMessageStartingWith(mnt + " is not a network namespace: it is a mnt namespace, not a network one");
	}

	@Test
	void aDirectoryIsRefused(@TempDir Path dir) {
		assertThatThrownBy(() -> NetworkNamespace.ofPath(dir))
				.isInstanceOf(TracePacketsException.class)
				.hasMessageStartingWith(dir + " is not a network namespace: it is a directory");
	}

	@Test
	void aProcessNetworkNamespaceIsAccepted() {
		NetworkNamespace self = NetworkNamespace.ofPath(Path.of("/proc/self/ns/net"));

		assertThat(self).isEqualTo(NetworkNamespace.current());
	}
}
