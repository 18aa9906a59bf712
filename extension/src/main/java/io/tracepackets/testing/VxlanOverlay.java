package io.tracepackets.testing;

import io.tracepackets.TracePacketsException;
import java.nio.file.Path;
import java.util.List;

/**
 * Two "nodes" of a cluster whose pods talk across a VXLAN overlay, wired the way flannel's
 * {@code vxlan} backend wires them: each node is a network namespace with an underlay interface
 * {@code eth0} (the two joined by a veth: {@code 192.168.77.1} and {@code .2}), a VXLAN device
 * {@code flannel.<vni>} (UDP port 4789 unless told otherwise, no learning) holding the node's
 * pod subnet's {@code .0/32}, and a bridge {@code cni0} ({@code 10.244.N.1/24}) with one pod
 * behind it: a namespace whose {@code eth0} holds {@code 10.244.N.2/24} (N = 1 and 2), its default
 * route through the bridge. What flannel's daemon writes for the other node, each node holds too:
 * the route {@code 10.244.M.0/24 via 10.244.M.0 dev flannel.<vni> onlink}, a permanent neighbour
 * entry giving {@code 10.244.M.0} the other VTEP's MAC address and a permanent FDB entry sending
 * that MAC address to the other node's underlay address. So a pod's packet to the other pod is
 * routed by its node into the VXLAN device, encapsulated in UDP to the other node, decapsulated
 * there and routed into the bridge and the pod.
 *
 * <p>No ARP has to cross the overlay or wait: the MAC addresses are fixed (derived from the
 * node's number), and each pod's gateway and each node's pod have permanent neighbour entries. So
 * a rule that drops the underlay's UDP still sees the pod's first datagram, instead of an ARP
 * request waiting for an answer it never gets.
 *
 * <p>{@link #createBridged()} wires an L2 overlay instead, as Docker's overlay networks do: the
 * VXLAN device is a port of each node's bridge and the pods share one subnet.
 *
 * <p>{@link #createWithIpv6Underlay()} puts the nodes on an IPv6 underlay instead
 * ({@code fd00:77::1} and {@code ::2}, as flannel's {@code EnableIPv6} underlay or a dual-stack
 * cluster's nodes): the pods and their overlay stay IPv4, the encapsulated packets are IPv6 UDP.
 *
 * <p>Trace every namespace ({@link #paths()}); send from a pod with {@code
 * Traffic.fromNetnsPath(overlay.leftPodPath())}. The addresses are the same for every overlay:
 * they live only in the overlay's own namespaces. Needs root, iproute2 ({@code ip}, {@code bridge})
 * and a kernel with VXLAN and bridges. Named like {@link VethNamespaces}' namespaces and deleted
 * like them, also when a killed JVM left them behind. Close to delete all four.
 */
public final class VxlanOverlay implements AutoCloseable {

	/** The IANA port of VXLAN, which flannel's {@code Port} setting of 4789 and most CNIs use. */
	public static final int VXLAN_PORT = 4789;

	/** The largest VNI whose {@code flannel.<vni>} fits IFNAMSIZ (15 characters); VXLAN's own limit is 16777215. */
	private static final int MAX_VNI = 9_999_999;

	/** The underlay's 1500 less VXLAN's 50 bytes over IPv4, as flannel sets it; 70 over IPv6. */
	private static final int MTU = 1450;
	private static final int MTU_OVER_IPV6 = 1430;

	private final String prefix;
	private final int vni;
	private final int port;
	private final boolean ipv6Underlay;
	private final boolean bridged;

	private VxlanOverlay(String prefix, int vni, int port, boolean ipv6Underlay, boolean bridged) {
		this.prefix = prefix;
		this.vni = vni;
		this.port = port;
		this.ipv6Underlay = ipv6Underlay;
		this.bridged = bridged;
	}

	/**
	 * Two nodes, their pods and the overlay between them: VNI 1 (flannel's), UDP port 4789.
	 *
	 * @return the overlay, ready for traffic; close it to delete its namespaces
	 * @throws TracePacketsException when a command fails (not root, no iproute2, no VXLAN in the
	 *     kernel); what was made is deleted
	 */
	public static VxlanOverlay create() {
		return create(1, VXLAN_PORT);
	}

	/**
	 * Two nodes, their pods and the overlay between them, with this VNI and UDP port.
	 *
	 * @param vni the VXLAN network identifier, 1 to 9999999: the devices are named {@code
	 *     flannel.<vni>}, which must fit a device name
	 * @param port the UDP destination port of the encapsulated packets; the probes read the inner
	 *     packet of VXLAN on 4789 and 8472 (Linux's default) only
	 * @return the overlay, ready for traffic; close it to delete its namespaces
	 * @throws IllegalArgumentException for a VNI or port out of range
	 * @throws TracePacketsException when a command fails; what was made is deleted
	 */
	public static VxlanOverlay create(int vni, int port) {
		return create(vni, port, false, false);
	}

	/**
	 * Two nodes on an IPv6 underlay ({@code fd00:77::1/64} and {@code ::2}), their IPv4 pods and
	 * the overlay between them: VNI 1, UDP port 4789. The underlay's addresses skip duplicate
	 * address detection and each node knows the other's link-layer address, so the first datagram
	 * is encapsulated and sent at once, as on a node that has been up for a while.
	 *
	 * @return the overlay, ready for traffic; close it to delete its namespaces
	 * @throws TracePacketsException when a command fails (not root, no iproute2, no VXLAN or IPv6 in
	 *     the kernel); what was made is deleted
	 */
	public static VxlanOverlay createWithIpv6Underlay() {
		return create(1, VXLAN_PORT, true, false);
	}

	/**
	 * Two nodes whose pods share one subnet ({@code 10.244.0.2/24} and {@code .3}) across a VXLAN
	 * device that is a port of each node's bridge, as Docker's overlay networks wire them (an L2
	 * overlay): VNI 1, UDP port 4789, the VTEP {@code vxlan1} a port of the bridge {@code br0}
	 * beside the pod's veth. Each pod knows the other's MAC address for good, each bridge sends it
	 * out of the VTEP port, and each VTEP to the other node's underlay address: no ARP crosses the
	 * overlay and nothing is routed.
	 *
	 * @return the overlay, ready for traffic; close it to delete its namespaces
	 * @throws TracePacketsException when a command fails; what was made is deleted
	 */
	public static VxlanOverlay createBridged() {
		return create(1, VXLAN_PORT, false, true);
	}

	private static VxlanOverlay create(int vni, int port, boolean ipv6Underlay, boolean bridged) {
		if (vni < 1 || vni > MAX_VNI) {
			throw new IllegalArgumentException("VNI " + vni + " is out of range: 1 to " + MAX_VNI
					+ " (a VXLAN network identifier has 24 bits, and flannel.<vni> must fit a device name's 15 characters)");
		}
		if (port < 1 || port > 65535) {
			throw new IllegalArgumentException("UDP port " + port + " is out of range: 1 to 65535");
		}
		VxlanOverlay overlay = new VxlanOverlay(VethNamespaces.newPrefix(VethNamespaces.nextNumber()), vni, port,
				ipv6Underlay, bridged);
		try {
			overlay.build();
			return overlay;
		} catch (RuntimeException e) {
			overlay.close();
			throw e;
		}
	}

	private void build() {
		for (String netns : List.of(nodeName(1), nodeName(2), podName(1), podName(2))) {
			VethNamespaces.ip("netns", "add", netns);
			VethNamespaces.ip("-n", netns, "link", "set", "lo", "up");
		}
		VethNamespaces.ip("link", "add", "eth0", "netns", nodeName(1), "type", "veth", "peer", "name", "eth0",
				"netns", nodeName(2));
		for (int node = 1; node <= 2; node++) {
			underlay(node);
			// the node's VTEP; the pod behind a veth in the node's bridge
			String name = nodeName(node);
			VethNamespaces.ip("-n", name, "link", "add", vxlanInterface(), "address", vtepMac(node), "type", "vxlan",
					"id", Integer.toString(vni), "local", nodeAddress(node), "dev", "eth0", "dstport",
					Integer.toString(port), "nolearning");
			VethNamespaces.ip("-n", name, "link", "add", bridgeInterface(), "address", gatewayMac(node), "type",
					"bridge");
			VethNamespaces.ip("-n", name, "link", "set", bridgeInterface(), "mtu", Integer.toString(mtu()), "up");
			String pod = podName(node);
			VethNamespaces.ip("link", "add", "veth0", "netns", name, "type", "veth", "peer", "name", "eth0", "netns",
					pod);
			VethNamespaces.ip("-n", name, "link", "set", "veth0", "master", bridgeInterface(), "mtu",
					Integer.toString(mtu()), "up");
			VethNamespaces.ip("-n", pod, "link", "set", "eth0", "address", podMac(node), "mtu", Integer.toString(mtu()),
					"up");
			VethNamespaces.ip("-n", pod, "addr", "add", podAddress(node) + "/24", "dev", "eth0");
			if (bridged) {
				bridgedOverlay(node);
			} else {
				routedOverlay(node);
			}
		}
	}

	/** The node's underlay address on its {@code eth0}. */
	private void underlay(int node) {
		int other = 3 - node;
		String name = nodeName(node);
		if (ipv6Underlay) {
			// no duplicate address detection, and the other node's address known for good: a
			// tentative address or an unanswered solicitation would hold the first datagrams back
			VethNamespaces.ip("-n", name, "link", "set", "eth0", "address", underlayMac(node));
			VethNamespaces.ip("-n", name, "addr", "add", nodeAddress(node) + "/64", "dev", "eth0", "nodad");
			VethNamespaces.ip("-n", name, "neigh", "add", nodeAddress(other), "lladdr", underlayMac(other), "dev",
					"eth0", "nud", "permanent");
		} else {
			VethNamespaces.ip("-n", name, "addr", "add", nodeAddress(node) + "/24", "dev", "eth0");
		}
		VethNamespaces.ip("-n", name, "link", "set", "eth0", "up");
	}

	/**
	 * flannel's: the VTEP holds the pod subnet's .0, the bridge is the pod's gateway, and the node
	 * routes the other pod subnet into the VTEP, with what flannel's daemon writes for the other
	 * node (route, VTEP neighbour, FDB entry).
	 */
	private void routedOverlay(int node) {
		int other = 3 - node;
		String name = nodeName(node);
		String pod = podName(node);
		String vxlan = vxlanInterface();
		VethNamespaces.exec(name, "sysctl", "-qw", "net.ipv4.ip_forward=1");
		VethNamespaces.ip("-n", name, "addr", "add", "10.244." + node + ".0/32", "dev", vxlan);
		VethNamespaces.ip("-n", name, "link", "set", vxlan, "mtu", Integer.toString(mtu()), "up");
		VethNamespaces.ip("-n", name, "addr", "add", "10.244." + node + ".1/24", "dev", bridgeInterface());
		VethNamespaces.ip("-n", pod, "route", "add", "default", "via", "10.244." + node + ".1");
		VethNamespaces.ip("-n", pod, "neigh", "add", "10.244." + node + ".1", "lladdr", gatewayMac(node), "dev",
				"eth0", "nud", "permanent");
		VethNamespaces.ip("-n", name, "neigh", "add", podAddress(node), "lladdr", podMac(node), "dev",
				bridgeInterface(), "nud", "permanent");
		VethNamespaces.ip("-n", name, "route", "add", "10.244." + other + ".0/24", "via", "10.244." + other + ".0",
				"dev", vxlan, "onlink");
		VethNamespaces.ip("-n", name, "neigh", "add", "10.244." + other + ".0", "lladdr", vtepMac(other), "dev",
				vxlan, "nud", "permanent");
		VethNamespaces.exec(name, "bridge", "fdb", "add", vtepMac(other), "dev", vxlan, "dst", nodeAddress(other),
				"self", "permanent");
	}

	/**
	 * Docker's overlay networks': the VTEP is a port of the bridge, the pods share one subnet and
	 * reach each other by their MAC addresses. The pod knows the other pod's MAC address; the
	 * bridge sends it out of the VTEP port, and the VTEP to the other node.
	 */
	private void bridgedOverlay(int node) {
		int other = 3 - node;
		String name = nodeName(node);
		String vxlan = vxlanInterface();
		VethNamespaces.ip("-n", name, "link", "set", vxlan, "master", bridgeInterface(), "mtu",
				Integer.toString(mtu()), "up");
		VethNamespaces.ip("-n", podName(node), "neigh", "add", podAddress(other), "lladdr", podMac(other), "dev",
				"eth0", "nud", "permanent");
		VethNamespaces.exec(name, "bridge", "fdb", "add", podMac(other), "dev", vxlan, "master", "static");
		VethNamespaces.exec(name, "bridge", "fdb", "add", podMac(other), "dev", vxlan, "dst", nodeAddress(other),
				"self", "permanent");
	}

	private int mtu() {
		return ipv6Underlay ? MTU_OVER_IPV6 : MTU;
	}

	private String nodeName(int node) {
		return prefix + (node == 1 ? "m" : "n");
	}

	private String podName(int node) {
		return prefix + (node == 1 ? "p" : "q");
	}

	/** 02:00 (locally administered) and the underlay address: the VTEP of node 1 is 02:00:c0:a8:4d:01. */
	private static String vtepMac(int node) {
		return "02:00:c0:a8:4d:0" + node;
	}

	private static String underlayMac(int node) {
		return "02:00:fd:77:00:0" + node;
	}

	private static String gatewayMac(int node) {
		return "02:00:0a:f4:0" + node + ":01";
	}

	private static String podMac(int node) {
		return "02:00:0a:f4:0" + node + ":02";
	}

	private String nodeAddress(int node) {
		return (ipv6Underlay ? "fd00:77::" : "192.168.77.") + node;
	}

	private String podAddress(int node) {
		return bridged ? "10.244.0." + (node + 1) : "10.244." + node + ".2";
	}

	/**
	 * The first node's namespace: its underlay {@code eth0}, {@code flannel.<vni>}, {@code cni0}.
	 *
	 * @return its path under {@code /run/netns}, for {@code trace.scope(...)}
	 */
	public Path leftNodePath() {
		return Path.of("/run/netns", nodeName(1));
	}

	/**
	 * The second node's namespace, where the left pod's packets arrive through the underlay.
	 *
	 * @return its path under {@code /run/netns}, for {@code trace.scope(...)}
	 */
	public Path rightNodePath() {
		return Path.of("/run/netns", nodeName(2));
	}

	/**
	 * The pod behind the first node's bridge.
	 *
	 * @return its path under {@code /run/netns}, for {@code trace.scope(...)} and {@code
	 *     Traffic.fromNetnsPath(...)}
	 */
	public Path leftPodPath() {
		return Path.of("/run/netns", podName(1));
	}

	/**
	 * The pod behind the second node's bridge.
	 *
	 * @return its path under {@code /run/netns}, for {@code trace.scope(...)} and {@code
	 *     Traffic.fromNetnsPath(...)}
	 */
	public Path rightPodPath() {
		return Path.of("/run/netns", podName(2));
	}

	/**
	 * All four namespaces, nodes first: what a trace of the overlay scopes.
	 *
	 * @return the left node, the right node, the left pod, the right pod
	 */
	public List<Path> paths() {
		return List.of(leftNodePath(), rightNodePath(), leftPodPath(), rightPodPath());
	}

	/**
	 * The left pod's address.
	 *
	 * @return {@code 10.244.1.2}; {@code 10.244.0.2} when {@link #createBridged() bridged}
	 */
	public String leftPodAddress() {
		return podAddress(1);
	}

	/**
	 * The right pod's address.
	 *
	 * @return {@code 10.244.2.2}; {@code 10.244.0.3} when {@link #createBridged() bridged}
	 */
	public String rightPodAddress() {
		return podAddress(2);
	}

	/**
	 * The left node's underlay address: the outer source of what its pod sends across.
	 *
	 * @return {@code 192.168.77.1}, or {@code fd00:77::1} on an IPv6 underlay
	 */
	public String leftNodeAddress() {
		return nodeAddress(1);
	}

	/**
	 * The right node's underlay address: the outer destination of what the left pod sends across.
	 *
	 * @return {@code 192.168.77.2}, or {@code fd00:77::2} on an IPv6 underlay
	 */
	public String rightNodeAddress() {
		return nodeAddress(2);
	}

	/**
	 * The VXLAN network identifier of both VTEPs.
	 *
	 * @return the VNI, 1 unless {@link #create(int, int)} was given another
	 */
	public int vni() {
		return vni;
	}

	/**
	 * The UDP destination port of the encapsulated packets.
	 *
	 * @return 4789 unless {@link #create(int, int)} was given another
	 */
	public int port() {
		return port;
	}

	/**
	 * The VXLAN device of each node.
	 *
	 * @return {@code flannel.<vni>}, as flannel names it; {@code vxlan<vni>} when {@link #createBridged() bridged}
	 */
	public String vxlanInterface() {
		return (bridged ? "vxlan" : "flannel.") + vni;
	}

	/**
	 * The name of each node's bridge, the pod's veth a port of it.
	 *
	 * @return {@code cni0}, flannel's; {@code br0} when {@link #createBridged() bridged}, Docker's
	 */
	public String bridgeInterface() {
		return bridged ? "br0" : "cni0";
	}

	/**
	 * Runs a command in the left node's namespace (an iptables rule on its underlay, {@code ip -s link}).
	 *
	 * @param command the program and its arguments
	 * @return what it printed, standard output and error together
	 * @throws TracePacketsException when it exits with a non-zero status; the message holds its output
	 */
	public String execOnLeftNode(String... command) {
		return VethNamespaces.exec(nodeName(1), command);
	}

	/**
	 * Runs a command in the right node's namespace, e.g. {@code iptables -A INPUT -p udp --dport
	 * 4789 -j DROP}.
	 *
	 * @param command the program and its arguments
	 * @return what it printed, standard output and error together
	 * @throws TracePacketsException when it exits with a non-zero status; the message holds its output
	 */
	public String execOnRightNode(String... command) {
		return VethNamespaces.exec(nodeName(2), command);
	}

	/** Deletes the four namespaces; every device goes with its namespace. */
	@Override
	public void close() {
		for (String netns : List.of(podName(1), podName(2), nodeName(1), nodeName(2))) {
			VethNamespaces.quietly("netns", "del", netns);
		}
	}

	@Override
	public String toString() {
		return "VXLAN overlay " + prefix + " (pods " + leftPodAddress() + " and " + rightPodAddress() + " on nodes "
				+ leftNodeAddress() + " and " + rightNodeAddress() + ", VNI " + vni + ", UDP " + port + ")";
	}
}
