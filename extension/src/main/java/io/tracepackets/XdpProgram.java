package io.tracepackets;

import java.util.Objects;
import java.util.Optional;

/**
 * An XDP program attached to a device of a traced namespace, as the kernel lists it (its link
 * dump, what {@code ip -d link show} prints). On a NIC's driver hook an XDP program drops a packet
 * before any skb exists, where only a probe on the program itself (fexit, where function probes
 * work) sees it: {@link PacketTrace#xdpPrograms()} lists these, so a packet that vanished at a
 * device is not a mystery.
 *
 * @param name the program's name in the kernel, e.g. {@code "xdp_drop_9100"}
 * @param id the program's id (as {@code bpftool prog show} prints it)
 * @param device the device it is attached to, e.g. {@code "veth1"}
 * @param mode {@code "native"} (the driver's hook), {@code "generic"} (the stack's, on an skb) or
 *     {@code "offload"} (the NIC's)
 * @param whyNotTraced empty when a probe on the program sees its drop verdicts; otherwise why none
 *     could be attached (its drops are then named by attach point only)
 */
public record XdpProgram(String name, int id, String device, String mode, Optional<String> whyNotTraced) {

	/** Checks that no component is null. */
	public XdpProgram {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(device, "device");
		Objects.requireNonNull(mode, "mode");
		Objects.requireNonNull(whyNotTraced, "whyNotTraced");
	}

	/**
	 * Whether a probe on the program sees its drop verdicts.
	 *
	 * @return true when {@link #whyNotTraced()} is empty
	 */
	public boolean isTraced() {
		return whyNotTraced.isEmpty();
	}
}
