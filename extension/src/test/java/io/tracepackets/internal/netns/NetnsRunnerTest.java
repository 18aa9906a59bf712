package io.tracepackets.internal.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracepackets.TracePacketsException;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.ffi.Errno;
import io.tracepackets.internal.ffi.NativeException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

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
	void theCurrentNamespaceRunsInline() {
		Thread caller = Thread.currentThread();

		Thread ran = NetnsRunner.call(NetworkNamespace.current(), Thread::currentThread);

		assertThat(ran).isSameAs(caller);
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
	void permissionErrorsSayToRunAsRoot() {
		TracePacketsException e = NetnsRunner.explain(pair.a(), new NativeException("setns", Errno.EPERM));

		assertThat(e).isInstanceOf(TracingUnavailableException.class)
				.hasMessageContaining("setns needs CAP_SYS_ADMIN: run as root (sudo)");
	}

	@Test
	void aMissingProcessSaysItIsNotRunning() {
		NetworkNamespace ofPid = NetworkNamespace.ofPid(ProcessHandle.current().pid(), "container web (pid 42)");

		TracePacketsException e = NetnsRunner.explain(ofPid, new NativeException("open", Errno.ENOENT));

		assertThat(e).hasMessageStartingWith("container web (pid 42) is not running");
	}

	@Test
	void aNamespaceByPathCanBeEntered() {
		NetworkNamespace b = NetworkNamespace.ofPath(Path.of("/run/netns", pair.bName()));

		assertThat(NetnsRunner.call(b, NetworkNamespace::currentThreadInode)).isEqualTo(b.inode());
	}
}
