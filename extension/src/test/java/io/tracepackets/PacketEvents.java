package io.tracepackets;

import io.tracepackets.internal.drops.DropReasonTable;
import java.net.InetAddress;
import java.util.List;

/**
 * Test fixture: the events of one packet, as the decoder would make them. A template holds what
 * the packet's events share (skb, tuple, netns, interface...); {@link #at}, {@link #function},
 * {@link #dropped} and {@link #consumed} make its events. Immutable: each setter returns a copy.
 */
public final class PacketEvents {

	/** Drops are classified as the decoder classifies them: by the project's table. */
	private static final DropReasonTable DROPS = DropReasonTable.load();

	public static final long NETNS = 4026532001L;
	public static final long SKB = 0xffff888004a3c000L;

	private long skb = SKB;
	private long netns = NETNS;
	private int ifindex;
	private String interfaceName;
	private int cpu;
	private int pid;
	private String comm = "swapper/0";
	private int mark;
	private int length = 60;
	private int etherType;
	private int ipVersion;
	private InetAddress source;
	private InetAddress destination;
	private int l4Protocol;
	private int sourcePort;
	private int destinationPort;
	private int tcpFlags;
	private long journey;
	private InetAddress preNatSource;
	private InetAddress preNatDestination;
	private int preNatSourcePort;
	private int preNatDestinationPort;
	private Conntrack conntrack;
	private Encapsulation encapsulation;

	private PacketEvents() {
	}

	private PacketEvents copy() {
		PacketEvents copy = new PacketEvents();
		copy.skb = skb;
		copy.netns = netns;
		copy.ifindex = ifindex;
		copy.interfaceName = interfaceName;
		copy.cpu = cpu;
		copy.pid = pid;
		copy.comm = comm;
		copy.mark = mark;
		copy.length = length;
		copy.etherType = etherType;
		copy.ipVersion = ipVersion;
		copy.source = source;
		copy.destination = destination;
		copy.l4Protocol = l4Protocol;
		copy.sourcePort = sourcePort;
		copy.destinationPort = destinationPort;
		copy.tcpFlags = tcpFlags;
		copy.journey = journey;
		copy.preNatSource = preNatSource;
		copy.preNatDestination = preNatDestination;
		copy.preNatSourcePort = preNatSourcePort;
		copy.preNatDestinationPort = preNatDestinationPort;
		copy.conntrack = conntrack;
		copy.encapsulation = encapsulation;
		return copy;
	}

	/** A copy of this template, changed by {@code change}. */
	private PacketEvents with(java.util.function.Consumer<PacketEvents> change) {
		PacketEvents copy = copy();
		change.accept(copy);
		return copy;
	}

	/** The kernel's journey id on every event. */
	public PacketEvents journey(long journey) {
		return with(c -> c.journey = journey);
	}

	/** The skb's conntrack entry on every event; null for none. */
	public PacketEvents conntrack(Conntrack entry) {
		return with(c -> c.conntrack = entry);
	}

	/** On the underlay, in VXLAN between these node addresses: the tuple is the inner packet's. */
	public PacketEvents encapsulatedIn(String source, int sourcePort, String destination, int destinationPort, int vni) {
		return with(c -> c.encapsulation = new Encapsulation("vxlan", literal(source), literal(destination), sourcePort,
				destinationPort, vni));
	}

	/** With this EtherType (the skb's protocol): an encapsulated packet's is its underlay's. */
	public PacketEvents etherType(int etherType) {
		return with(c -> c.etherType = etherType);
	}

	/** No longer encapsulated: decapsulated by the receiving node's VXLAN device. */
	public PacketEvents decapsulated() {
		return with(c -> c.encapsulation = null);
	}

	/** Rewritten by NAT from this tuple, as conntrack records it. */
	public PacketEvents translatedFrom(String source, int sourcePort, String destination, int destinationPort) {
		return with(c -> {
			c.preNatSource = literal(source);
			c.preNatSourcePort = sourcePort;
			c.preNatDestination = literal(destination);
			c.preNatDestinationPort = destinationPort;
		});
	}

	/** The same packet after NAT rewrote its tuple, without conntrack's record (function probes before it). */
	public PacketEvents rewrittenTo(String source, int sourcePort, String destination, int destinationPort) {
		return with(c -> {
			c.source = literal(source);
			c.sourcePort = sourcePort;
			c.destination = literal(destination);
			c.destinationPort = destinationPort;
		});
	}

	private static InetAddress literal(String address) {
		try {
			return InetAddress.getByName(address);
		} catch (java.net.UnknownHostException e) {
			throw new IllegalArgumentException(e);
		}
	}

	public static PacketEvents udp(String source, int sourcePort, String destination, int destinationPort) {
		return ip(source, destination, PacketEvent.UDP, sourcePort, destinationPort);
	}

	/** {@code flags}: TCP header byte 13 (0x02 SYN, 0x10 ACK...). */
	public static PacketEvents tcp(String source, int sourcePort, String destination, int destinationPort, int flags) {
		PacketEvents packet = ip(source, destination, PacketEvent.TCP, sourcePort, destinationPort);
		packet.tcpFlags = flags;
		return packet;
	}

	/** ICMP for IPv4 addresses, ICMPv6 for IPv6 ones. */
	public static PacketEvents icmp(String source, String destination, int type, int code) {
		boolean v6 = InetAddress.ofLiteral(source).getAddress().length == 16;
		return ip(source, destination, v6 ? PacketEvent.ICMPV6 : PacketEvent.ICMP, type, code);
	}

	/**
	 * An IP packet of another protocol (GRE: 47), or with no L4 header (0); {@code destination}
	 * null for one the kernel gave no destination of.
	 */
	public static PacketEvents ip(String source, String destination, int protocol) {
		PacketEvents packet = ip(source, source, protocol, 0, 0);
		packet.destination = destination == null ? null : InetAddress.ofLiteral(destination);
		return packet;
	}

	/** A packet without an IP header (ARP...). */
	public static PacketEvents nonIp(int etherType) {
		PacketEvents packet = new PacketEvents();
		packet.etherType = etherType;
		return packet;
	}

	private static PacketEvents ip(String source, String destination, int protocol, int sourcePort,
			int destinationPort) {
		PacketEvents packet = new PacketEvents();
		packet.source = InetAddress.ofLiteral(source);
		packet.destination = InetAddress.ofLiteral(destination);
		packet.ipVersion = packet.source.getAddress().length == 16 ? 6 : 4;
		packet.etherType = packet.ipVersion == 6 ? 0x86dd : 0x0800;
		packet.l4Protocol = protocol;
		packet.sourcePort = sourcePort;
		packet.destinationPort = destinationPort;
		return packet;
	}

	public PacketEvents skb(long skb) {
		return with(c -> c.skb = skb);
	}

	public PacketEvents netns(long netns) {
		return with(c -> c.netns = netns);
	}

	/** {@code name} null: the interface's name is unknown. */
	public PacketEvents iface(int ifindex, String name) {
		return with(c -> {
			c.ifindex = ifindex;
			c.interfaceName = name;
		});
	}

	public PacketEvents process(int cpu, int pid, String comm) {
		return with(c -> {
			c.cpu = cpu;
			c.pid = pid;
			c.comm = comm;
		});
	}

	public PacketEvents length(int length) {
		return with(c -> c.length = length);
	}

	public PacketEvents mark(int mark) {
		return with(c -> c.mark = mark);
	}

	/** Seen by the tracepoint {@code tracepoint} ({@code "netif_receive_skb"}). */
	public PacketEvent at(long nanos, String tracepoint) {
		return event(nanos, tracepoint, ProbeKind.TRACEPOINT, null, null, List.of());
	}

	/** Seen by a BPF hook ({@code socket_receive}). */
	public PacketEvent hook(long nanos, String hook) {
		return event(nanos, hook, ProbeKind.HOOK, null, null, List.of());
	}

	/** Seen at the entry of kernel function {@code function}. */
	public PacketEvent function(long nanos, String function) {
		return event(nanos, function, ProbeKind.FUNCTION, null, null, List.of());
	}

	/**
	 * The return of {@code function}, one of {@link io.tracepackets.ReturnValue#RECORDED}, as the
	 * decoder makes it: the skb's event at the function's entry, with what it returned; never an
	 * overlay's outer headers (the probes leave them out of a return's snapshot).
	 */
	public PacketEvent returned(long nanos, String function, int value) {
		PacketEvent e = event(nanos, function, ProbeKind.FUNCTION_RETURN, null, null, List.of());
		return new io.tracepackets.internal.record.EventRecord(e.timestampNanos(), e.cpu(), e.pid(), e.comm(), e.skb(),
				e.where(), e.kind(), e.netns(), e.ifindex(), e.interfaceName(), e.mark(), e.length(), e.etherType(),
				e.ipVersion(), e.source(), e.destination(), e.l4Protocol(), e.sourcePort(), e.destinationPort(),
				e.icmpType(), e.icmpCode(), e.tcpFlags(), null, null, null, null, null, List.of(), e.journey(), null, null,
				0, 0, e.conntrack(), null, null, java.util.Optional.empty(), java.util.Optional.empty(),
				java.util.Optional.of(io.tracepackets.ReturnValue.of(function, value)));
	}

	/** Dropped: kfree_skb with {@code reason}, freed at {@code location}, {@code stack} innermost first. */
	public PacketEvent dropped(long nanos, DropReason reason, String location, String... stack) {
		return event(nanos, "kfree_skb", ProbeKind.TRACEPOINT, reason, location, List.of(stack));
	}

	/** Dropped as {@link #dropped} does, by {@code culprit}. */
	public PacketEvent droppedBy(long nanos, DropCulprit culprit, DropReason reason, String location, String... stack) {
		return io.tracepackets.internal.drops.EventCopies.withCulprit(dropped(nanos, reason, location, stack), culprit);
	}

	/**
	 * The XDP probe's event of this packet, as the decoder makes it: program {@code programId}
	 * returned XDP_DROP before any skb existed (the template's skb stands for the frame's address).
	 */
	public PacketEvent xdpVerdict(long nanos, int programId) {
		io.tracepackets.internal.drops.XdpVerdict verdict = io.tracepackets.internal.drops.XdpVerdict.DROP;
		PacketEvent e = event(nanos, PacketEvent.XDP, ProbeKind.HOOK, null, null, List.of());
		return new io.tracepackets.internal.record.EventRecord(e.timestampNanos(), e.cpu(), 0, "", e.skb(), e.where(), e.kind(), e.netns(), e.ifindex(),
				e.interfaceName(), e.mark(), e.length(), e.etherType(), e.ipVersion(), e.source(), e.destination(),
				e.l4Protocol(), e.sourcePort(), e.destinationPort(), e.icmpType(), e.icmpCode(), e.tcpFlags(), null,
				DropKind.LOST, verdict.classify(programId, interfaceName).why(), verdict.explain(interfaceName),
				io.tracepackets.internal.drops.XdpVerdict.location(programId), List.of());
	}

	/** Freed normally: consume_skb. */
	public PacketEvent consumed(long nanos) {
		return at(nanos, "consume_skb");
	}

	/** The sentence the decoder would give this packet's drop. */
	private String diagnosis(DropReason reason) {
		if (reason == null) {
			return null;
		}
		java.util.Map<String, String> values = DropReasonTable.sentenceValues(
				source == null ? null : AddressText.of(source),
				destination == null ? null : AddressText.of(destination), l4Protocol,
				destinationPort, interfaceName);
		return DROPS.explain(reason.name(), values);
	}

	private static DropKind kind(DropReason reason, String location) {
		return reason == null ? null : DROPS.classify(reason.name(), location).kind();
	}

	/** {@code event} as the probes report it when they copy the packet's first bytes. */
	public static PacketEvent withBytes(PacketEvent e, PacketBytes bytes) {
		return io.tracepackets.internal.drops.EventCopies.withPacketBytes(e, bytes);
	}

	/** ICMP type and code are kept in the port fields here, and given their own fields by the event. */
	private PacketEvent event(long nanos, String where, ProbeKind kind, DropReason reason, String location,
			List<String> stack) {
		boolean icmp = l4Protocol == PacketEvent.ICMP || l4Protocol == PacketEvent.ICMPV6;
		return new io.tracepackets.internal.record.EventRecord(nanos, cpu, pid, comm, skb, where, kind, netns, ifindex, interfaceName, mark, length,
				etherType, ipVersion, source, destination, l4Protocol, icmp ? 0 : sourcePort, icmp ? 0 : destinationPort,
				icmp ? sourcePort : -1, icmp ? destinationPort : -1, tcpFlags, reason, kind(reason, location),
				reason == null ? null : DROPS.classify(reason.name(), location).why(), diagnosis(reason), location,
				stack, journey, preNatSource, preNatDestination, preNatSourcePort, preNatDestinationPort,
				java.util.Optional.ofNullable(conntrack), null, null, java.util.Optional.empty(),
				java.util.Optional.ofNullable(encapsulation), java.util.Optional.empty());
	}
}
