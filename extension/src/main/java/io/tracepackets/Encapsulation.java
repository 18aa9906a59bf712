package io.tracepackets;

import java.net.InetAddress;
import java.util.Objects;

/**
 * The outer headers of an overlay's packet on the underlay: a pod's packet that a VXLAN device
 * (flannel's, Calico's in VXLAN mode, a bridge's VTEP) put into UDP between two nodes. Where a
 * probe sees such a packet (after the sending node's VXLAN device encapsulated it, until the
 * receiving node's decapsulates it), the event's own tuple ({@link PacketEvent#source()}…) is the
 * inner packet's, the pod's, so that the packet keeps one tuple and one journey from pod to pod
 * and a filter on the pods' addresses finds it on the underlay too; this is the tuple the underlay
 * saw, which its firewall rules match.
 *
 * <p>The probes recognise VXLAN (RFC 7348) by its UDP destination port, 4789 (IANA's) or 8472
 * (Linux's default, flannel's), and the header's valid-VNI flag, over IPv4 or IPv6, with an IPv4
 * or IPv6 packet inside.
 *
 * @param protocol the encapsulation, {@code "vxlan"}
 * @param source the outer source address: the sending node's underlay address
 * @param destination the outer destination address: the receiving node's underlay address
 * @param sourcePort the outer UDP source port (VXLAN picks it from a hash of the inner flow)
 * @param destinationPort the outer UDP destination port, 4789 or 8472
 * @param vni the VXLAN network identifier, 0 to 16777215
 */
public record Encapsulation(String protocol, InetAddress source, InetAddress destination, int sourcePort,
		int destinationPort, int vni) {

	/** The addresses and the protocol are required. */
	public Encapsulation {
		Objects.requireNonNull(protocol, "protocol");
		Objects.requireNonNull(source, "source");
		Objects.requireNonNull(destination, "destination");
	}

	/**
	 * {@return the outer headers in the rendering's words, e.g. {@code vxlan 192.168.77.1:45112 >
	 * 192.168.77.2:4789 vni 1}}
	 */
	public String describe() {
		return protocol + " " + endpoint(source, sourcePort) + " > " + endpoint(destination, destinationPort) + " vni "
				+ vni;
	}

	private static String endpoint(InetAddress address, int port) {
		return (address instanceof java.net.Inet6Address ? "[" + AddressText.of(address) + "]" : AddressText.of(address))
				+ ":" + port;
	}
}
