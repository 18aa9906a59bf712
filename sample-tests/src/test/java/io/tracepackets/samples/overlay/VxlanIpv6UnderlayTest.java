package io.tracepackets.samples.overlay;

import io.tracepackets.testing.VxlanOverlay;

/**
 * The overlay on an IPv6 underlay, as a dual-stack cluster's nodes carry it: IPv4 pods, their
 * packets encapsulated in IPv6 UDP between the nodes ({@link VxlanOverlay#createWithIpv6Underlay()}),
 * the underlay's rule written with ip6tables.
 */
class VxlanIpv6UnderlayTest extends VxlanOverlayJourneyTest {

	@Override
	VxlanOverlay wire() {
		return VxlanOverlay.createWithIpv6Underlay();
	}

	@Override
	String firewall() {
		return "ip6tables";
	}
}
