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
	void aNamespaceByPathCanBeEntered() {
		NetworkNamespace b = NetworkNamespace.ofPath(Path.of("/run/netns", pair.bName()));

		assertThat(NetnsRunner.call(b, NetworkNamespace::currentThreadInode)).isEqualTo(b.inode());
	}
}
