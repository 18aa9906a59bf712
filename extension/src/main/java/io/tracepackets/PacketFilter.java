package io.tracepackets;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Which packets an assertion is about, pcap-style: {@code udp().dstPort(9000)},
 * {@code tcp().dst("172.17.0.2")}. Immutable: each method returns a narrower filter. A packet
 * matches when any event of its path matches (not every probe sees the L4 header).
 */
public final class PacketFilter implements Predicate<PacketEvent> {

	private final List<Predicate<PacketEvent>> conditions;
	private final String description;

	private PacketFilter(List<Predicate<PacketEvent>> conditions, String description) {
		this.conditions = conditions;
		this.description = description;
	}

	/** Every packet. */
	public static PacketFilter anyPacket() {
		return new PacketFilter(List.of(), "any");
	}

	public static PacketFilter udp() {
		return anyPacket().protocol(PacketEvent.UDP, "udp");
	}

	public static PacketFilter tcp() {
		return anyPacket().protocol(PacketEvent.TCP, "tcp");
	}

	/** ICMP for IPv4 or ICMPv6. */
	public static PacketFilter icmp() {
		return anyPacket().and(e -> e.l4Protocol() == PacketEvent.ICMP || e.l4Protocol() == PacketEvent.ICMPV6, "icmp");
	}

	private PacketFilter protocol(int protocol, String name) {
		return and(e -> e.l4Protocol() == protocol, name);
	}

	public PacketFilter dstPort(int port) {
		checkPort(port, "dstPort");
		return and(e -> isPorted(e) && e.destinationPort() == port, "dst port " + port);
	}

	public PacketFilter srcPort(int port) {
		checkPort(port, "srcPort");
		return and(e -> isPorted(e) && e.sourcePort() == port, "src port " + port);
	}

	/** Either port. */
	public PacketFilter port(int port) {
		checkPort(port, "port");
		return and(e -> isPorted(e) && (e.sourcePort() == port || e.destinationPort() == port), "port " + port);
	}

	/**
	 * TCP segments with every one of {@code flags} set, e.g. {@code tcpFlags(PSH)} for those carrying
	 * data, {@code tcpFlags(SYN)} for connection attempts.
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

	/** ICMP or ICMPv6 message type, e.g. 3 (destination unreachable) or 135 (neighbour solicitation). */
	public PacketFilter icmpType(int type) {
		checkIcmp(type, "icmpType");
		return and(e -> isIcmp(e) && e.icmpType() == type, "icmp type " + type);
	}

	/** ICMP or ICMPv6 code, e.g. 3 with type 3: port unreachable. */
	public PacketFilter icmpCode(int code) {
		checkIcmp(code, "icmpCode");
		return and(e -> isIcmp(e) && e.icmpCode() == code, "icmp code " + code);
	}

	/** Destination address, an IP literal ({@code "172.17.0.2"}, {@code "fd00::2"}). */
	public PacketFilter dst(String address) {
		InetAddress wanted = literal(address, "dst");
		return and(e -> wanted.equals(e.destination()), "dst host " + address);
	}

	public PacketFilter src(String address) {
		InetAddress wanted = literal(address, "src");
		return and(e -> wanted.equals(e.source()), "src host " + address);
	}

	/** Either address. */
	public PacketFilter host(String address) {
		InetAddress wanted = literal(address, "host");
		return and(e -> wanted.equals(e.source()) || wanted.equals(e.destination()), "host " + address);
	}

	public PacketFilter ipv4() {
		return and(e -> e.ipVersion() == 4, "ip");
	}

	public PacketFilter ipv6() {
		return and(e -> e.ipVersion() == 6, "ip6");
	}

	/** skb->mark. */
	public PacketFilter mark(int mark) {
		return and(e -> e.mark() == mark, "mark 0x" + Integer.toHexString(mark));
	}

	/** Adds any condition; {@code description} shows in failure messages. */
	public PacketFilter and(Predicate<PacketEvent> condition, String description) {
		Objects.requireNonNull(condition, "condition");
		List<Predicate<PacketEvent>> narrower = new ArrayList<>(conditions);
		narrower.add(condition);
		String text = conditions.isEmpty() ? description : this.description + " and " + description;
		return new PacketFilter(List.copyOf(narrower), text);
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

	/** Whether any event of the path matches. */
	public boolean matches(PacketPath path) {
		for (PacketEvent event : path.events()) {
			if (test(event)) {
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
