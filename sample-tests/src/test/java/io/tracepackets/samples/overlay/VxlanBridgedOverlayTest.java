package io.tracepackets.samples.overlay;

import io.tracepackets.testing.VxlanOverlay;

/**
 * An L2 overlay, as Docker's overlay networks wire it ({@link VxlanOverlay#createBridged()}): the
 * VXLAN device a port of each node's bridge, the pods in one subnet, a pod's frame bridged out of
 * the VXLAN port rather than routed into the VXLAN device.
 */
class VxlanBridgedOverlayTest extends VxlanOverlayJourneyTest {

	@Override
	VxlanOverlay wire() {
		return VxlanOverlay.createBridged();
	}
}
