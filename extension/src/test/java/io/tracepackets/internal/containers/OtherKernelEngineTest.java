package io.tracepackets.internal.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracepackets.TracingUnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.testcontainers.containers.GenericContainer;

/**
 * Layout D for real: a container of an engine that runs on another kernel (scripts/other-kernel-engine
 * starts {@code dockerd} inside the kernel VM, forwards its API to this host and points
 * {@code DOCKER_HOST} at it) must be refused with the boot-id sentence, naming both boot ids.
 * Runs only where that script set {@code TRACEPACKETS_OTHER_KERNEL_BOOT_ID} (the guest's boot id,
 * read there); the script fails unless it ran and passed.
 */
@EnabledIfEnvironmentVariable(named = "TRACEPACKETS_OTHER_KERNEL_BOOT_ID", matches = ".+")
class OtherKernelEngineTest {

	@Test
	void a_container_of_an_engine_on_another_kernel_is_refused_with_both_boot_ids() {
		String guestBootId = System.getenv("TRACEPACKETS_OTHER_KERNEL_BOOT_ID");
		String localBootId = ContainerNamespaces.localBootId();
		assertThat(guestBootId).as("the engine's kernel is another one").isNotEqualTo(localBootId);
		try (GenericContainer<?> container = new GenericContainer<>("tracepackets/netbox:local")) {
			container.start();

			// The script shows the sentence as it was said.
			try {
				ContainerNamespaces.of(container);
			} catch (TracingUnavailableException e) {
				System.out.println("refused: " + e.getMessage());
			}
			assertThatThrownBy(() -> ContainerNamespaces.of(container))
					.isInstanceOf(TracingUnavailableException.class)
					.hasMessageStartingWith("the network namespace of container ")
					.hasMessageContaining(" unavailable: its engine runs on another machine or kernel (the container's"
							+ " kernel boot id is " + guestBootId + ", this JVM's is " + localBootId + "), and eBPF sees"
							+ " only the kernel this JVM runs on: run the tests on the engine's machine, with DOCKER_HOST"
							+ " pointing at an engine on this kernel");
		}
	}
}
