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
	void onThisThreadTheTaskRunsOnTheCallerInsideTheNamespaceAndTheCallerComesBack() {
		long before = NetworkNamespace.currentThreadInode();
		Thread caller = Thread.currentThread();

		Thread ranOn = NetnsRunner.callOnThisThread(pair.a(), Thread::currentThread);
		long inside = NetnsRunner.callOnThisThread(pair.a(), NetworkNamespace::currentThreadInode);

		assertThat(ranOn).isSameAs(caller);
		assertThat(inside).isEqualTo(pair.a().inode());
		assertThat(NetworkNamespace.currentThreadInode()).isEqualTo(before);
	}

	@Test
	void onThisThreadTheCallerComesBackWhenTheTaskThrows() {
		long before = NetworkNamespace.currentThreadInode();

		assertThatThrownBy(() -> NetnsRunner.callOnThisThread(pair.b(), () -> {
			throw new IllegalArgumentException("boom");
		})).isInstanceOf(IllegalArgumentException.class).hasMessage("boom");
		assertThatThrownBy(() -> NetnsRunner.callOnThisThread(pair.b(), () -> {
			throw new IOException("disk");
		})).isInstanceOf(TracePacketsException.class).hasCauseInstanceOf(IOException.class);

		assertThat(NetworkNamespace.currentThreadInode()).isEqualTo(before);
	}

	@Test
	void onThisThreadAVirtualCallerHandsTheTaskToAPlatformThread() throws Exception {
		long[] seen = new long[2];
		Thread[] ranOn = new Thread[1];
		Thread caller = Thread.ofVirtual().start(() -> {
			seen[0] = NetnsRunner.callOnThisThread(pair.a(), () -> {
				ranOn[0] = Thread.currentThread();
				return NetworkNamespace.currentThreadInode();
			});
			seen[1] = NetworkNamespace.currentThreadInode();
		});
		caller.join();

		assertThat(seen[0]).isEqualTo(pair.a().inode());
		assertThat(ranOn[0].isVirtual()).isFalse();
		assertThat(seen[1]).isNotEqualTo(pair.a().inode());
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
