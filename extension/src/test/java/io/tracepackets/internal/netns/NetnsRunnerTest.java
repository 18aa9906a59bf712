package io.tracepackets.internal.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracepackets.KernelTest;
import io.tracepackets.TracePacketsException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@KernelTest
class NetnsRunnerTest extends VethPairTest {

	@Test
	void theTaskRunsInsideTheNamespaceAndTheCallerStaysWhereItWas() {
		long before = NetworkNamespace.currentThreadInode();

		long inside = NetnsRunner.call(pair.a(), NetworkNamespace::currentThreadInode);

		assertThat(inside).isEqualTo(pair.a().inode());
		assertThat(NetworkNamespace.currentThreadInode()).isEqualTo(before);
	}

	@Test
	void aSocketCreatedInsideBelongsToTheNamespace() throws IOException {
		// A's address exists only in A: binding to it proves the socket was made there.
		try (DatagramChannel socket = NetnsRunner.call(pair.a(),
				() -> DatagramChannel.open().bind(new InetSocketAddress(pair.aIp(), 0)))) {
			assertThat(((InetSocketAddress) socket.getLocalAddress()).getAddress().getHostAddress())
					.isEqualTo(pair.aIp());
		}
		assertThatThrownBy(() -> DatagramChannel.open().bind(new InetSocketAddress(pair.aIp(), 0)))
				.isInstanceOf(BindException.class);
	}

	@Test
	void runtimeExceptionsOfTheTaskPassThrough() {
		assertThatThrownBy(() -> NetnsRunner.run(pair.b(), () -> {
			throw new IllegalArgumentException("boom");
		})).isInstanceOf(IllegalArgumentException.class).hasMessage("boom");
	}

	@Test
	void checkedExceptionsOfTheTaskAreWrapped() {
		assertThatThrownBy(() -> NetnsRunner.call(pair.b(), () -> {
			throw new IOException("disk");
		})).isInstanceOf(TracePacketsException.class).hasCauseInstanceOf(IOException.class)
				.hasMessageContaining(pair.bName());
	}

	@Test
	void aTaskThatOverrunsTimesOut() {
		assertThatThrownBy(() -> NetnsRunner.call(pair.b(), () -> {
			Thread.sleep(5_000);
			return null;
		}, Duration.ofMillis(200))).isInstanceOf(TracePacketsException.class)
				.hasMessageContaining("did not finish within");
	}

	@Test
	void noThreadStaysInANamespaceAfterTheCallsNestedOnesIncludedSoThePoolKeepsNoNamespaceAlive() throws IOException {
		// A call made from inside a (its thread was born there) and one into b from it
		long inB = NetnsRunner.call(pair.a(), () -> NetnsRunner.call(pair.b(), NetworkNamespace::currentThreadInode));

		assertThat(inB).isEqualTo(pair.b().inode());
		assertThat(threadsIn(pair.a().inode())).as("threads of this JVM in a").isEmpty();
		assertThat(threadsIn(pair.b().inode())).as("threads of this JVM in b").isEmpty();
	}

	@Test
	void aCallAfterOneThatTimedOutRunsUndisturbed() {
		assertThatThrownBy(() -> NetnsRunner.call(pair.b(), () -> {
			Thread.sleep(5_000);
			return null;
		}, Duration.ofMillis(100))).isInstanceOf(TracePacketsException.class);

		// The pooled threads carry no interrupt over: a task that sleeps sleeps
		assertThat(NetnsRunner.call(pair.b(), () -> {
			Thread.sleep(50);
			return NetworkNamespace.currentThreadInode();
		})).isEqualTo(pair.b().inode());
	}

	/** The threads of this JVM whose network namespace has {@code inode}. */
	private static java.util.List<String> threadsIn(long inode) throws IOException {
		try (java.util.stream.Stream<Path> tasks = java.nio.file.Files.list(Path.of("/proc/self/task"))) {
			return tasks.filter(task -> {
				try {
					return (Long) java.nio.file.Files.getAttribute(task.resolve("ns/net"), "unix:ino") == inode;
				} catch (IOException | RuntimeException ended) {
					return false;
				}
			}).map(task -> task.getFileName().toString()).toList();
		}
	}

	@Test
	void aNamespaceByPathCanBeEntered() {
		NetworkNamespace b = NetworkNamespace.ofPath(Path.of("/run/netns", pair.bName()));

		assertThat(NetnsRunner.call(b, NetworkNamespace::currentThreadInode)).isEqualTo(b.inode());
	}
}
