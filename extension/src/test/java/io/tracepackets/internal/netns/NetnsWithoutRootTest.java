package io.tracepackets.internal.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracepackets.TracePacketsException;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.ffi.Errno;
import io.tracepackets.internal.ffi.NativeException;
import org.junit.jupiter.api.Test;

/**
 * What namespace lookups and the runner do and say without entering another namespace: no root
 * needed, so these run in every layer (the veth-pair tests beside them are {@code @KernelTest}s).
 */
class NetnsWithoutRootTest {

	@Test
	void ofInodeFindsAProcessNamespace() {
		NetworkNamespace self = NetworkNamespace.current();

		NetworkNamespace found = NetworkNamespace.ofInode(self.inode());

		assertThat(found.inode()).isEqualTo(self.inode());
		assertThat(found.isAlive()).isTrue();
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
	void theCurrentNamespaceRunsInline() {
		Thread caller = Thread.currentThread();

		Thread ran = NetnsRunner.call(NetworkNamespace.current(), Thread::currentThread);

		assertThat(ran).isSameAs(caller);
	}

	@Test
	void permissionErrorsSayToRunAsRoot() {
		TracePacketsException e = NetnsRunner.explain(NetworkNamespace.current(), new NativeException("setns", Errno.EPERM));

		assertThat(e).isInstanceOf(TracingUnavailableException.class)
				.hasMessageContaining("setns needs CAP_SYS_ADMIN: run as root (sudo)");
	}

	@Test
	void aMissingProcessSaysItIsNotRunning() {
		NetworkNamespace ofPid = NetworkNamespace.ofPid(ProcessHandle.current().pid(), "container web (pid 42)");

		TracePacketsException e = NetnsRunner.explain(ofPid, new NativeException("open", Errno.ENOENT));

		assertThat(e).hasMessageStartingWith("container web (pid 42) is not running");
	}
}
