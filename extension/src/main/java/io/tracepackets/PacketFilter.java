package io.tracepackets;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.testcontainers.containers.Container;

/**
 * Which packets an assertion is about, pcap-style: {@code udp().dstPort(9000)},
 * {@code tcp().dst("172.17.0.2")}, {@code udp().netns(server).dev("eth0")}. Immutable: each method
 * returns a narrower filter. A packet matches when any event of its path matches every condition
 * (not every probe sees the L4 header): {@code udp().dev("eth0")} is the UDP packets seen on an
 * {@code eth0}.
 */
public final class PacketFilter implements Predicate<PacketEvent> {

	private final List<Predicate<PacketEvent>> conditions;
	private final String description;
	private final boolean readsPacketBytes;

	private PacketFilter(List<Predicate<PacketEvent>> conditions, String description, boolean readsPacketBytes) {
		this.conditions = conditions;
		this.description = description;
		this.readsPacketBytes = readsPacketBytes;
	}

	/**
	 * Every packet.
	 *
	 * @return a filter without conditions, the start for {@link #and(Predicate, String)}
	 */
	public static PacketFilter anyPacket() {
		return new PacketFilter(List.of(), "any", false);
	}

	/**
	 * UDP packets, over IPv4 or IPv6.
	 *
	 * @return a filter on IP protocol 17, to narrow with ports or addresses
	 */
	public static PacketFilter udp() {
		return anyPacket().protocol(PacketEvent.UDP, "udp");
	}

	/**
	 * TCP segments, over IPv4 or IPv6.
	 *
	 * @return a filter on IP protocol 6, to narrow with ports, flags or addresses
	 */
	public static PacketFilter tcp() {
		return anyPacket().protocol(PacketEvent.TCP, "tcp");
	}

	/**
	 * ICMP for IPv4 or ICMPv6.
	 *
	 * @return a filter on IP protocol 1 or 58, to narrow with {@link #icmpType(int)}
	 */
	public static PacketFilter icmp() {
		return anyPacket().and(e -> e.l4Protocol() == PacketEvent.ICMP || e.l4Protocol() == PacketEvent.ICMPV6, "icmp");
	}

	/**
	 * Packets a pcap-filter(7) expression matches, as tcpdump and pwru read it:
	 * {@code pcap("tcp[tcpflags] & tcp-syn != 0")}, {@code pcap("arp and arp[7] = 1")}. libpcap
	 * compiles it, and it runs on the packet bytes each event carries, from the Ethernet header or
	 * the IP header as {@link PacketBytes#layer()} says; so the trace must capture bytes
	 * ({@code @TracePackets(snapLength = 128)}): an event without bytes never matches. To keep
	 * packets out of the trace altogether, give the expression to {@code @TracePackets(filter = ...)}.
	 *
	 * @param expression a pcap-filter(7) expression
	 * @return a filter on the expression, to narrow further like any other
	 * @throws TracePacketsException when libpcap does not compile the expression, with its message
	 */
	public static PacketFilter pcap(String expression) {
		io.tracepackets.internal.pcap.PcapFilter compiled = io.tracepackets.internal.pcap.PcapFilter.compile(expression);
		Predicate<PacketEvent> onBytes = event -> event.packetBytes()
				.map(bytes -> compiled.matches(bytes.toByteArray(), bytes.originalLength(),
						bytes.layer() == PacketBytes.Layer.ETHERNET))
				.orElse(false);
		return new PacketFilter(List.of(onBytes), "pcap \"" + expression + "\" on captured bytes", true);
	}

	/**
	 * Whether the filter reads packet bytes ({@link #pcap(String)}), which a trace has only when it
	 * captures them: failure messages say so when the trace carries none.
	 *
	 * @return true when a condition runs on {@link PacketEvent#packetBytes()}
	 */
	public boolean readsPacketBytes() {
		return readsPacketBytes;
	}

	private PacketFilter protocol(int protocol, String name) {
		return and(e -> e.l4Protocol() == protocol, name);
	}

	/**
	 * TCP or UDP packets to {@code port}.
	 *
	 * @param port the destination port, 1 to 65535
	 * @return a new filter that also requires this; this one is unchanged
	 * @throws IllegalArgumentException when {@code port} is outside 1 to 65535
	 */
	public PacketFilter dstPort(int port) {
		checkPort(port, "dstPort");
		return and(e -> isPorted(e) && e.destinationPort() == port, "dst port " + port);
	}

	/**
	 * TCP or UDP packets from {@code port}.
	 *
	 * @param port the source port, 1 to 65535
	 * @return a new filter that also requires this; this one is unchanged
	 * @throws IllegalArgumentException when {@code port} is outside 1 to 65535
	 */
	public PacketFilter srcPort(int port) {
		checkPort(port, "srcPort");
		return and(e -> isPorted(e) && e.sourcePort() == port, "src port " + port);
	}

	/**
	 * Either port.
	 *
	 * @param port 1 to 65535, matched against the source and the destination port
	 * @return a new filter that also requires this; this one is unchanged
	 * @throws IllegalArgumentException when {@code port} is outside 1 to 65535
	 */
	public PacketFilter port(int port) {
		checkPort(port, "port");
		return and(e -> isPorted(e) && (e.sourcePort() == port || e.destinationPort() == port), "port " + port);
	}

	/**
	 * TCP segments with every one of {@code flags} set, e.g. {@code tcpFlags(PSH)} for those carrying
	 * data, {@code tcpFlags(SYN)} for connection attempts.
	 *
	 * @param flags the flags that must all be set; others may be set too, so {@code SYN} also
	 *     matches the SYN+ACK answer
	 * @return a new filter that also requires this; this one is unchanged
	 * @throws IllegalArgumentException when no flag is given
	 */
	public PacketFilter tcpFlags(TcpFlag... flags) {
		if (flags.length == 0) {
			throw new IllegalArgumentException("tcpFlags(): name at least one flag, e.g. tcpFlags(TcpFlag.SYN)");
		}
		int mask = 0;
		StringBuilder names = new StringBuilder();
		for (TcpFlag flag : flags) {
			mask |= flag.bit();
			names.append(names.isEmpty() ? "" : "|").append(flag.name());
		}
		int wanted = mask;
		return and(e -> e.l4Protocol() == PacketEvent.TCP && (e.tcpFlags() & wanted) == wanted,
				"tcp flags " + names);
	}

	/**
	 * ICMP or ICMPv6 message type, e.g. 3 (destination unreachable) or 135 (neighbour solicitation).
	 *
	 * @param type 0 to 255; ICMP and ICMPv6 number their types differently (3 is "time exceeded"
	 *     in ICMPv6), so add {@link #ipv4()} or {@link #ipv6()} when both may be traced
	 * @return a new filter that also requires this; this one is unchanged
	 * @throws IllegalArgumentException when {@code type} is outside 0 to 255
	 */
	public PacketFilter icmpType(int type) {
		checkIcmp(type, "icmpType");
		return and(e -> isIcmp(e) && e.icmpType() == type, "icmp type " + type);
	}

	/**
	 * ICMP or ICMPv6 code, e.g. 3 with type 3: port unreachable.
	 *
	 * @param code 0 to 255; a code means something only with its type, so add {@link #icmpType(int)}
	 * @return a new filter that also requires this; this one is unchanged
	 * @throws IllegalArgumentException when {@code code} is outside 0 to 255
	 */
	public PacketFilter icmpCode(int code) {
		checkIcmp(code, "icmpCode");
		return and(e -> isIcmp(e) && e.icmpCode() == code, "icmp code " + code);
	}

	/**
	 * Destination address, an IP literal ({@code "172.17.0.2"}, {@code "fd00::2"}).
	 *
	 * @param address an IPv4 or IPv6 literal; host names are not resolved
	 * @return a new filter that also requires this; this one is unchanged
	 * @throws IllegalArgumentException when {@code address} is not an IP literal
	 */
	public PacketFilter dst(String address) {
		InetAddress wanted = literal(address, "dst");
		return and(e -> wanted.equals(e.destination()), "dst host " + address);
	}

	/**
	 * Source address, an IP literal ({@code "172.17.0.2"}, {@code "fd00::2"}).
	 *
	 * @param address an IPv4 or IPv6 literal; host names are not resolved
	 * @return a new filter that also requires this; this one is unchanged
	 * @throws IllegalArgumentException when {@code address} is not an IP literal
	 */
	public PacketFilter src(String address) {
		InetAddress wanted = literal(address, "src");
		return and(e -> wanted.equals(e.source()), "src host " + address);
	}

	/**
	 * Either address.
	 *
	 * @param address an IPv4 or IPv6 literal; host names are not resolved
	 * @return a new filter that also requires this; this one is unchanged
	 * @throws IllegalArgumentException when {@code address} is not an IP literal
	 */
	public PacketFilter host(String address) {
		InetAddress wanted = literal(address, "host");
		return and(e -> wanted.equals(e.source()) || wanted.equals(e.destination()), "host " + address);
	}

	/**
	 * Packets with an IPv4 header.
	 *
	 * @return a new filter that also requires this; this one is unchanged
	 */
	public PacketFilter ipv4() {
		return and(e -> e.ipVersion() == 4, "ip");
	}

	/**
	 * Packets with an IPv6 header.
	 *
	 * @return a new filter that also requires this; this one is unchanged
	 */
	public PacketFilter ipv6() {
		return and(e -> e.ipVersion() == 6, "ip6");
	}

	/**
	 * skb->mark.
	 *
	 * @param mark the exact value, as set by e.g. {@code iptables -j MARK --set-mark 0x1}; 0 matches
	 *     unmarked packets
	 * @return a new filter that also requires this; this one is unchanged
	 */
	public PacketFilter mark(int mark) {
		return and(e -> e.mark() == mark, "mark 0x" + Integer.toHexString(mark));
	}

	/**
	 * Packets conntrack gave one of {@code states} at an event ({@link PacketEvent#conntrack()}),
	 * as iptables' {@code --ctstate} and nftables' {@code ct state} match them:
	 * {@code tcp().ctState(ConntrackState.INVALID)} is the segments conntrack refused, which a
	 * netfilter rule dropped. Only events between conntrack's hook and the next veth crossing or
	 * TCP delivery carry a state: a packet matches by those.
	 *
	 * @param states one or more states, e.g. {@code ConntrackState.NEW, ConntrackState.ESTABLISHED}
	 * @return a new filter that also requires this; this one is unchanged
	 * @throws IllegalArgumentException when no state is given
	 */
	public PacketFilter ctState(ConntrackState... states) {
		Objects.requireNonNull(states, "ctState");
		if (states.length == 0) {
			throw new IllegalArgumentException("ctState() needs at least one state, e.g. ctState(ConntrackState.INVALID)");
		}
		java.util.Set<ConntrackState> wanted = java.util.EnumSet.copyOf(List.of(states));
		StringBuilder names = new StringBuilder();
		wanted.forEach(state -> names.append(names.isEmpty() ? "" : ",").append(state.name()));
		return and(e -> e.conntrack().map(entry -> wanted.contains(entry.state())).orElse(false),
				"ct state " + names);
	}

	/**
	 * Packets seen on the network interface {@code name}, as the events record it
	 * ({@link PacketEvent#interfaceName()}: the skb's device, else the one it arrived on, named in
	 * its own namespace), like pwru's {@code --filter-ifname}. Names repeat across namespaces (every
	 * container has an {@code eth0}): add {@link #netns(Container)} to say whose.
	 *
	 * @param name the interface's name, e.g. {@code "eth0"} or a veth's, 1 to 15 characters
	 * @return a new filter that also requires this; this one is unchanged
	 * @throws IllegalArgumentException when {@code name} cannot be an interface's name
	 */
	public PacketFilter dev(String name) {
		Objects.requireNonNull(name, "dev");
		if (name.isEmpty() || name.length() > 15 || name.equals(".") || name.equals("..")
				|| name.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c))) {
			throw new IllegalArgumentException("dev(\"" + name + "\") is not a network interface name: Linux names"
					+ " have 1 to 15 characters, without '/', ':' or blanks (ip link lists them); for an index, use"
					+ " dev(int)");
		}
		return and(e -> name.equals(e.interfaceName()), "dev " + name);
	}

	/**
	 * Packets seen on the network interface with index {@code ifindex} ({@link PacketEvent#ifindex()},
	 * as {@code ip link} numbers it). Indexes repeat across namespaces: add a {@code netns} condition
	 * to say whose.
	 *
	 * @param ifindex the interface's index, 1 or more
	 * @return a new filter that also requires this; this one is unchanged
	 * @throws IllegalArgumentException when {@code ifindex} is 0 or negative
	 */
	public PacketFilter dev(int ifindex) {
		if (ifindex < 1) {
			throw new IllegalArgumentException("dev(" + ifindex + "): an interface index is 1 or more (ip link"
					+ " shows them before each name)");
		}
		return and(e -> e.ifindex() == ifindex, "dev ifindex " + ifindex);
	}

	/**
	 * Packets seen in the network namespace with inode {@code inode} ({@link PacketEvent#netns()}:
	 * the skb's device's namespace, else its socket's), like pwru's {@code --filter-netns}. A
	 * packet that crosses namespaces matches by its events in this one.
	 *
	 * @param inode the namespace's inode, as {@code ls -iL /proc/<pid>/ns/net} prints it and
	 *     {@link TracedNamespace#inode()} carries it
	 * @return a new filter that also requires this; this one is unchanged
	 * @throws IllegalArgumentException when {@code inode} is 0 or negative
	 */
	public PacketFilter netns(long inode) {
		if (inode < 1) {
			throw new IllegalArgumentException("netns(" + inode + "): a namespace's inode is a positive number, as"
					+ " ls -iL /proc/<pid>/ns/net prints it");
		}
		return inNetns(inode, "netns " + inode);
	}

	/**
	 * Packets seen in the network namespace behind {@code netnsPath}: {@code /run/netns/blue},
	 * {@code /proc/1234/ns/net}. The path is read now, so the namespace must exist while the filter
	 * is made (a test's namespaces do).
	 *
	 * @param netnsPath a file that opens the namespace: an {@code ip netns} bind mount or a
	 *     process's {@code ns/net}
	 * @return a new filter that also requires this; this one is unchanged
	 * @throws TracePacketsException when the path does not exist, cannot be read, or is not a
	 *     network namespace
	 */
	public PacketFilter netns(Path netnsPath) {
		Objects.requireNonNull(netnsPath, "netns");
		if (!Files.exists(netnsPath)) {
			throw new TracePacketsException("netns(" + netnsPath + "): no such file; a network namespace is"
					+ " /run/netns/<name> (ip netns list) or /proc/<pid>/ns/net");
		}
		io.tracepackets.internal.netns.NetworkNamespace netns = io.tracepackets.internal.netns.NetworkNamespace
				.ofPath(netnsPath);
		return inNetns(netns.inode(), "netns " + netns.inode() + " = " + netnsPath);
	}

	/**
	 * Packets seen in the network namespace of {@code container}, a running Testcontainers
	 * container: {@code udp().netns(server).dev("eth0")} is what reached the server's {@code eth0}.
	 * The namespace is found now, as {@link PacketTrace#scope(Container)} finds it.
	 *
	 * @param container a started container, e.g. an {@code @Container} field
	 * @return a new filter that also requires this; this one is unchanged
	 * @throws TracePacketsException when the container is not running
	 * @throws TracingUnavailableException when its engine runs on another kernel
	 */
	public PacketFilter netns(Container<?> container) {
		Objects.requireNonNull(container, "netns");
		io.tracepackets.internal.netns.NetworkNamespace netns = io.tracepackets.internal.containers.ContainerNamespaces
				.of(container);
		return inNetns(netns.inode(), "netns " + netns.inode() + " = " + netns.label());
	}

	private PacketFilter inNetns(long inode, String description) {
		return and(e -> e.netns() == inode, description);
	}

	/**
	 * Adds any condition; {@code description} shows in failure messages.
	 *
	 * @param condition tested on single events: a packet matches when one event of its path passes
	 *     every condition of the filter, e.g. {@code e -> e.length() > 1000}
	 * @param description what the condition means, appended to the filter's own after
	 *     {@code " and "}: {@code "udp and dst port 9000 and large"}
	 * @return a new filter that also requires this; this one is unchanged
	 */
	public PacketFilter and(Predicate<PacketEvent> condition, String description) {
		Objects.requireNonNull(condition, "condition");
		List<Predicate<PacketEvent>> narrower = new ArrayList<>(conditions);
		narrower.add(condition);
		String text = conditions.isEmpty() ? description : this.description + " and " + description;
		return new PacketFilter(List.copyOf(narrower), text, readsPacketBytes);
	}

	@Override
	public boolean test(PacketEvent event) {
		for (Predicate<PacketEvent> condition : conditions) {
			if (!condition.test(event)) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Whether any event of the path matches, as the packet was then or, where netfilter translated
	 * it, as it was before ({@link PacketEvent#beforeTranslation()}): a filter on the address a
	 * packet was sent to finds it after DNAT. Where an overlay's packet is encapsulated, its event
	 * shows the inner packet and matches by it, and by its outer headers too ({@link
	 * PacketEvent#outer()}): {@code udp().dstPort(4789)} finds the pods' packets that crossed the
	 * underlay in VXLAN.
	 *
	 * @param path a packet's path, e.g. one of {@link PacketTrace#paths()}
	 * @return true when at least one of its events passes every condition; always true for
	 *     {@link #anyPacket()}
	 */
	public boolean matches(PacketPath path) {
		for (PacketEvent event : path.events()) {
			if (test(event) || event.wasTranslated() && test(event.beforeTranslation().orElseThrow())
					|| event.outer().filter(this::test).isPresent()) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether any event of the journey matches, as in {@link #matches(PacketPath)}.
	 *
	 * @param journey a packet's journey, e.g. one of {@link PacketTrace#journeys()}
	 * @return true when one of its paths matches
	 */
	public boolean matches(Journey journey) {
		for (PacketPath path : journey.paths()) {
			if (matches(path)) {
				return true;
			}
		}
		return false;
	}

	@Override
	public String toString() {
		return description;
	}

	private static boolean isPorted(PacketEvent event) {
		return event.l4Protocol() == PacketEvent.TCP || event.l4Protocol() == PacketEvent.UDP;
	}

	private static boolean isIcmp(PacketEvent event) {
		return event.l4Protocol() == PacketEvent.ICMP || event.l4Protocol() == PacketEvent.ICMPV6;
	}

	private static void checkIcmp(int value, String method) {
		if (value < 0 || value > 255) {
			throw new IllegalArgumentException(method + "(" + value + "): an ICMP type or code is in 0..255");
		}
	}

	private static void checkPort(int port, String method) {
		if (port < 1 || port > 65535) {
			throw new IllegalArgumentException(method + "(" + port + "): a port must be in 1..65535");
		}
	}

	private static InetAddress literal(String address, String method) {
		Objects.requireNonNull(address, method);
		try {
			return InetAddress.ofLiteral(address.strip());
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException(method + "(\"" + address + "\") is not an IP address literal: use e.g. "
					+ "\"172.17.0.2\" or \"fd00::2\" (host names are not resolved; for a container use its "
					+ "getContainerInfo() address)", e);
		}
	}
}
