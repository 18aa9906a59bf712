package io.tracepackets.samples.overlay;

import io.tracepackets.testing.VxlanOverlay;

/** The overlay as flannel's {@code vxlan} backend wires it: {@link VxlanOverlay#create()}. */
class VxlanOverlayTest extends VxlanOverlayJourneyTest {

	@Override
	VxlanOverlay wire() {
		return VxlanOverlay.create();
	}
}
