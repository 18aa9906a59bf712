package io.tracepackets.internal.record;

import io.tracepackets.Conntrack;
import io.tracepackets.DropCulprit;
import io.tracepackets.DropKind;
import io.tracepackets.DropReason;
import io.tracepackets.Encapsulation;
import io.tracepackets.PacketBytes;
import io.tracepackets.PacketEvent;
import io.tracepackets.ProbeKind;
import io.tracepackets.ReturnValue;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link PacketEvent} as TracePackets holds it: every field of the kernel's record, decoded
 * ({@code internal.event.EventDecoder}), then what was learned after (the drop's culprit or why
 * none, the packet's bytes), built from its components in one positional constructor. The public
 * type shows what a test reads; this one, and its constructors, stay inside.
 *
 * <p>A trace holds millions of these under a flood, so it is not a record of 39 components: the
 * fields every event has are kept in the narrowest type that holds their values (a port in a
 * {@code char}), and the ones most events lack (a drop's facts, NAT, the culprit, bytes, the
 * outer headers, a return value) in one object that only such an event has. It is a value all
 * the same: equal when every component is.
 */
public final class EventRecord implements PacketEvent {

	private final long timestampNanos;
	private final long skb;
	private final long netns;
	private final long journey;
	private final int pid;
	private final int ifindex;
	private final int mark;
	private final int length;
	private final char cpu;
	private final char etherType;
	private final char sourcePort;
	private final char destinationPort;
	private final short icmpType;
	private final short icmpCode;
	private final byte ipVersion;
	private final byte l4Protocol;
	private final byte tcpFlags;
	private final String comm;
	private final String where;
	private final ProbeKind kind;
	private final String interfaceName;
	private final InetAddress source;
	private final InetAddress destination;
	/** The skb's conntrack entry: many events of a NATed or tracked flow have one. */
	private final Conntrack conntrack;
	/** What most events lack; null when this one has none of it. */
	private final Rare rare;

	/** The components most events lack, each as the record's accessor gives it. */
	private record Rare(DropReason dropReason, DropKind dropKind, String dropKindExplanation, String dropDiagnosis,
			String location, List<String> stack, InetAddress preNatSource, InetAddress preNatDestination,
			int preNatSourcePort, int preNatDestinationPort, Optional<DropCulprit> culprit,
			Optional<String> whyNoCulprit, Optional<PacketBytes> packetBytes, Optional<Encapsulation> encapsulation,
			Optional<ReturnValue> returned) {

		private static final Rare NONE = new Rare(null, null, null, null, null, List.of(), null, null, 0, 0,
				Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
	}

	/**
	 * Every component; {@code stack} is copied ({@code null} becomes empty), so an event never
	 * changes; a null optional is empty.
	 *
	 * @param timestampNanos CLOCK_MONOTONIC, comparable with {@code System.nanoTime()}
	 * @param cpu the CPU the probe ran on
	 * @param pid the process (tgid) the CPU was running, often not the packet's sender: a softirq runs
	 *     in whatever task it interrupted; 0 for the {@value #SOCKET_RECEIVE} hook
	 * @param comm that process's command name, at most 15 characters ({@code "curl"}, {@code
	 *     "swapper/3"}); empty for the {@value #SOCKET_RECEIVE} hook
	 * @param skb the sk_buff's address: the packet's identity while it lives
	 * @param where the tracepoint's event name ({@code "kfree_skb"}) or the function's name
	 * @param kind what kind of probe saw it: a tracepoint and a function can share a name ({@code
	 *     netif_receive_skb} is both)
	 * @param netns the skb's network namespace inode (its device's, else its socket's)
	 * @param ifindex the index of the skb's device, else of the one it arrived on; 0 when neither is
	 *     known
	 * @param interfaceName the interface's name in that namespace, or {@code null} when unknown
	 * @param mark skb->mark, as firewall rules and policy routing set it ({@code iptables -j MARK
	 *     --set-mark 0x1}); 0 when unset
	 * @param length skb->len in bytes: the data from the layer the kernel is at, so one packet's
	 *     length changes along its path (on transmit it counts the Ethernet header)
	 * @param etherType skb->protocol (0x0800 IPv4, 0x86DD IPv6)
	 * @param ipVersion 4, 6, or 0 when the kernel found no IP header
	 * @param source the IP source address; {@code null} when {@code ipVersion} is 0
	 * @param destination the IP destination address; {@code null} when {@code ipVersion} is 0
	 * @param l4Protocol IANA protocol number: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6
	 * @param sourcePort TCP/UDP source port; 0 for other protocols
	 * @param destinationPort TCP/UDP destination port; 0 for other protocols
	 * @param icmpType ICMP or ICMPv6 type; -1 for other protocols
	 * @param icmpCode ICMP or ICMPv6 code; -1 for other protocols
	 * @param tcpFlags TCP header byte 13, one bit per {@code TcpFlag} ({@code 0x12}: SYN and ACK); 0
	 *     for other protocols
	 * @param dropReason for drops ({@code kfree_skb}), the reason; otherwise {@code null}
	 * @param dropKind for drops, what the drop meant: lost, discarded after delivery, or not a loss
	 * @param dropKindExplanation for drops, why it is that kind, e.g. {@code "QUEUE_PURGE at
	 *     sk_stream_kill_queues: the socket's receive queue was purged when it closed unread"}
	 * @param dropDiagnosis for drops, the likely cause and what to check, in words, with this packet's
	 *     values: {@code "nothing listens on 10.0.0.2 udp/53 (or the socket is in another network
	 *     namespace)"}
	 * @param location for drops, where the skb was freed ({@code nf_hook_slow+0x7d}); otherwise null
	 * @param stack for drops, the kernel stack, innermost first, as {@code function+0xoff}
	 * @param journey the packet's journey id, assigned by the kernel the first time a probe saw the
	 *     skb in scope and kept while the skb lives, across NAT and namespace crossings (see {@code
	 *     Journey}); 0 when the kernel gave none
	 * @param preNatSource when netfilter translated the packet (conntrack records SNAT or DNAT), its
	 *     source before the translation; otherwise {@code null}
	 * @param preNatDestination when netfilter translated the packet, its destination before the
	 *     translation ({@code 10.10.20.99} for a packet sent there and DNATed); otherwise {@code null}
	 * @param preNatSourcePort the source port before the translation; 0 without one
	 * @param preNatDestinationPort the destination port before the translation; 0 without one
	 * @param conntrack the skb's conntrack entry at this event, or INVALID where conntrack refused the
	 *     packet; empty where it has none
	 * @param culprit for drops, the rule, chain policy or program that dropped the packet; empty when
	 *     unknown or for other events
	 * @param whyNoCulprit for drops without a culprit, why none was named, as far as the trace could
	 *     tell when it took the drop in: rule tracing off, a drop outside the traced namespaces, a
	 *     netfilter trace that could not be set up or overflowed, no program attached where a tc or XDP
	 *     drop happened, or a drop that no rule or program made; empty for other events
	 * @param packetBytes the first bytes of the packet, when the trace captures them ({@code
	 *     TracePackets.snapLength()}) and the probe could read them; otherwise empty
	 * @param encapsulation an overlay's packet on the underlay: the outer headers, while the tuple
	 *     above is the inner packet's; otherwise empty
	 * @param returned for a function-return event, what the function returned; otherwise empty
	 */
	public EventRecord(long timestampNanos, int cpu, int pid, String comm, long skb, String where,
			ProbeKind kind, long netns, int ifindex, String interfaceName, int mark, int length, int etherType,
			int ipVersion, InetAddress source, InetAddress destination, int l4Protocol, int sourcePort,
			int destinationPort, int icmpType, int icmpCode, int tcpFlags, DropReason dropReason, DropKind dropKind,
			String dropKindExplanation, String dropDiagnosis, String location, List<String> stack, long journey,
			InetAddress preNatSource, InetAddress preNatDestination, int preNatSourcePort, int preNatDestinationPort,
			Optional<Conntrack> conntrack, Optional<DropCulprit> culprit, Optional<String> whyNoCulprit,
			Optional<PacketBytes> packetBytes, Optional<Encapsulation> encapsulation, Optional<ReturnValue> returned) {
		this.timestampNanos = timestampNanos;
		this.skb = skb;
		this.netns = netns;
		this.journey = journey;
		this.pid = pid;
		this.ifindex = ifindex;
		this.mark = mark;
		this.length = length;
		this.cpu = narrow(cpu, "cpu");
		this.etherType = narrow(etherType, "etherType");
		this.sourcePort = narrow(sourcePort, "sourcePort");
		this.destinationPort = narrow(destinationPort, "destinationPort");
		this.icmpType = icmp(icmpType, "icmpType");
		this.icmpCode = icmp(icmpCode, "icmpCode");
		this.ipVersion = octet(ipVersion, "ipVersion");
		this.l4Protocol = octet(l4Protocol, "l4Protocol");
		this.tcpFlags = octet(tcpFlags, "tcpFlags");
		this.comm = comm;
		this.where = where;
		this.kind = kind;
		this.interfaceName = interfaceName;
		this.source = source;
		this.destination = destination;
		this.conntrack = conntrack == null ? null : conntrack.orElse(null);
		Rare facts = new Rare(dropReason, dropKind, dropKindExplanation, dropDiagnosis, location,
				stack == null ? List.of() : List.copyOf(stack), preNatSource, preNatDestination, preNatSourcePort,
				preNatDestinationPort, orEmpty(culprit), orEmpty(whyNoCulprit), orEmpty(packetBytes),
				orEmpty(encapsulation), orEmpty(returned));
		this.rare = facts.equals(Rare.NONE) ? null : facts;
	}

	/**
	 * An event without a journey id, translation, drop culprit or packet bytes: every component up to
	 * {@link #stack()}, in the same order.
	 */
	public EventRecord(long timestampNanos, int cpu, int pid, String comm, long skb, String where,
			ProbeKind kind, long netns, int ifindex, String interfaceName, int mark, int length, int etherType,
			int ipVersion, InetAddress source, InetAddress destination, int l4Protocol, int sourcePort,
			int destinationPort, int icmpType, int icmpCode, int tcpFlags, DropReason dropReason, DropKind dropKind,
			String dropKindExplanation, String dropDiagnosis, String location, List<String> stack) {
		this(timestampNanos, cpu, pid, comm, skb, where, kind, netns, ifindex, interfaceName, mark, length, etherType,
				ipVersion, source, destination, l4Protocol, sourcePort, destinationPort, icmpType, icmpCode, tcpFlags,
				dropReason, dropKind, dropKindExplanation, dropDiagnosis, location, stack, 0, null, null, 0, 0,
				Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
	}

	private static <T> Optional<T> orEmpty(Optional<T> value) {
		return value == null ? Optional.empty() : value;
	}

	/** A 16-bit unsigned value (a CPU number, an EtherType, a port). */
	private static char narrow(int value, String name) {
		if (value < 0 || value > 0xFFFF) {
			throw new IllegalArgumentException(name + " " + value + " does not fit 16 bits");
		}
		return (char) value;
	}

	/** An ICMP type or code: 0 to 255, or -1 for none. */
	private static short icmp(int value, String name) {
		if (value < -1 || value > 0xFF) {
			throw new IllegalArgumentException(name + " " + value + " is neither -1 nor 0 to 255");
		}
		return (short) value;
	}

	/** An 8-bit unsigned value (an IP version, a protocol number, TCP's flags byte). */
	private static byte octet(int value, String name) {
		if (value < 0 || value > 0xFF) {
			throw new IllegalArgumentException(name + " " + value + " does not fit 8 bits");
		}
		return (byte) value;
	}

	private Rare rare() {
		return rare == null ? Rare.NONE : rare;
	}

	@Override
	public long timestampNanos() {
		return timestampNanos;
	}

	@Override
	public int cpu() {
		return cpu;
	}

	@Override
	public int pid() {
		return pid;
	}

	@Override
	public String comm() {
		return comm;
	}

	@Override
	public long skb() {
		return skb;
	}

	@Override
	public String where() {
		return where;
	}

	@Override
	public ProbeKind kind() {
		return kind;
	}

	@Override
	public long netns() {
		return netns;
	}

	@Override
	public int ifindex() {
		return ifindex;
	}

	@Override
	public String interfaceName() {
		return interfaceName;
	}

	@Override
	public int mark() {
		return mark;
	}

	@Override
	public int length() {
		return length;
	}

	@Override
	public int etherType() {
		return etherType;
	}

	@Override
	public int ipVersion() {
		return ipVersion & 0xFF;
	}

	@Override
	public InetAddress source() {
		return source;
	}

	@Override
	public InetAddress destination() {
		return destination;
	}

	@Override
	public int l4Protocol() {
		return l4Protocol & 0xFF;
	}

	@Override
	public int sourcePort() {
		return sourcePort;
	}

	@Override
	public int destinationPort() {
		return destinationPort;
	}

	@Override
	public int icmpType() {
		return icmpType;
	}

	@Override
	public int icmpCode() {
		return icmpCode;
	}

	@Override
	public int tcpFlags() {
		return tcpFlags & 0xFF;
	}

	@Override
	public DropReason dropReason() {
		return rare().dropReason();
	}

	@Override
	public DropKind dropKind() {
		return rare().dropKind();
	}

	@Override
	public String dropKindExplanation() {
		return rare().dropKindExplanation();
	}

	@Override
	public String dropDiagnosis() {
		return rare().dropDiagnosis();
	}

	@Override
	public String location() {
		return rare().location();
	}

	@Override
	public List<String> stack() {
		return rare().stack();
	}

	@Override
	public long journey() {
		return journey;
	}

	/**
	 * The source before netfilter translated the packet (conntrack's record), else {@code null}.
	 *
	 * @return the address
	 */
	public InetAddress preNatSource() {
		return rare().preNatSource();
	}

	/**
	 * The destination before netfilter translated the packet, else {@code null}.
	 *
	 * @return the address
	 */
	public InetAddress preNatDestination() {
		return rare().preNatDestination();
	}

	/**
	 * The source port before the translation; 0 without one.
	 *
	 * @return the port
	 */
	public int preNatSourcePort() {
		return rare().preNatSourcePort();
	}

	/**
	 * The destination port before the translation; 0 without one.
	 *
	 * @return the port
	 */
	public int preNatDestinationPort() {
		return rare().preNatDestinationPort();
	}

	@Override
	public Optional<Conntrack> conntrack() {
		return Optional.ofNullable(conntrack);
	}

	@Override
	public Optional<DropCulprit> culprit() {
		return rare().culprit();
	}

	@Override
	public Optional<String> whyNoCulprit() {
		return rare().whyNoCulprit();
	}

	@Override
	public Optional<PacketBytes> packetBytes() {
		return rare().packetBytes();
	}

	@Override
	public Optional<Encapsulation> encapsulation() {
		return rare().encapsulation();
	}

	@Override
	public Optional<ReturnValue> returned() {
		return rare().returned();
	}

	/**
	 * {@code event} as this record: itself when it is one, else a copy of what its accessors give
	 * (the tuple before a translation from {@link PacketEvent#beforeTranslation()}).
	 */
	public static EventRecord of(PacketEvent event) {
		if (event instanceof EventRecord record) {
			return record;
		}
		PacketEvent before = event.beforeTranslation().orElse(null);
		return new EventRecord(event.timestampNanos(), event.cpu(), event.pid(), event.comm(), event.skb(),
				event.where(), event.kind(), event.netns(), event.ifindex(), event.interfaceName(), event.mark(),
				event.length(), event.etherType(), event.ipVersion(), event.source(), event.destination(),
				event.l4Protocol(), event.sourcePort(), event.destinationPort(), event.icmpType(), event.icmpCode(),
				event.tcpFlags(), event.dropReason(), event.dropKind(), event.dropKindExplanation(),
				event.dropDiagnosis(), event.location(), event.stack(), event.journey(),
				before == null ? null : before.source(), before == null ? null : before.destination(),
				before == null ? 0 : before.sourcePort(), before == null ? 0 : before.destinationPort(),
				event.conntrack(), event.culprit(), event.whyNoCulprit(), event.packetBytes(), event.encapsulation(),
				event.returned());
	}

	/**
	 * This event with the facts learned after decoding replaced: the drop's culprit or why none
	 * was named, and the packet's bytes.
	 *
	 * @param culprit the rule or program that dropped it; null for none
	 * @param whyNoCulprit why none was named; null when one was, or for an event that is no drop
	 * @param bytes the packet's first bytes; empty for none
	 * @return the copy
	 */
	public EventRecord with(DropCulprit culprit, String whyNoCulprit, Optional<PacketBytes> bytes) {
		return new EventRecord(timestampNanos, cpu(), pid, comm, skb, where, kind, netns, ifindex, interfaceName, mark,
				length, etherType(), ipVersion(), source, destination, l4Protocol(), sourcePort(), destinationPort(),
				icmpType(), icmpCode(), tcpFlags(), dropReason(), dropKind(), dropKindExplanation(), dropDiagnosis(),
				location(), stack(), journey, preNatSource(), preNatDestination(), preNatSourcePort(),
				preNatDestinationPort(), conntrack(), Optional.ofNullable(culprit), SharedTexts.optional(whyNoCulprit),
				bytes, encapsulation(), returned());
	}

	@Override
	public boolean wasTranslated() {
		return preNatDestination() != null && preNatSource() != null;
	}

	@Override
	public Optional<PacketEvent> beforeTranslation() {
		if (!wasTranslated()) {
			return Optional.empty();
		}
		boolean ported = l4Protocol() == TCP || l4Protocol() == UDP;
		return Optional.of(new EventRecord(timestampNanos, cpu(), pid, comm, skb, where, kind, netns, ifindex,
				interfaceName, mark, length, etherType(), ipVersion(), preNatSource(), preNatDestination(), l4Protocol(),
				ported ? preNatSourcePort() : sourcePort(), ported ? preNatDestinationPort() : destinationPort(),
				icmpType(), icmpCode(), tcpFlags(), dropReason(), dropKind(), dropKindExplanation(), dropDiagnosis(),
				location(), stack(), journey, null, null, 0, 0, conntrack(), culprit(), whyNoCulprit(), packetBytes(),
				encapsulation(), returned()));
	}

	@Override
	public Optional<PacketEvent> outer() {
		return encapsulation().map(outer -> new EventRecord(timestampNanos, cpu(), pid, comm, skb, where, kind, netns,
				ifindex, interfaceName, mark, length, etherType(), outer.source() instanceof java.net.Inet6Address ? 6 : 4,
				outer.source(), outer.destination(), UDP, outer.sourcePort(), outer.destinationPort(), -1, -1, 0,
				dropReason(), dropKind(), dropKindExplanation(), dropDiagnosis(), location(), stack(), journey, null, null,
				0, 0, conntrack(), culprit(), whyNoCulprit(), packetBytes(), Optional.empty(), returned()));
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof EventRecord that && timestampNanos == that.timestampNanos && skb == that.skb
				&& netns == that.netns && journey == that.journey && pid == that.pid && ifindex == that.ifindex
				&& mark == that.mark && length == that.length && cpu == that.cpu && etherType == that.etherType
				&& sourcePort == that.sourcePort && destinationPort == that.destinationPort
				&& icmpType == that.icmpType && icmpCode == that.icmpCode && ipVersion == that.ipVersion
				&& l4Protocol == that.l4Protocol && tcpFlags == that.tcpFlags && Objects.equals(comm, that.comm)
				&& Objects.equals(where, that.where) && kind == that.kind
				&& Objects.equals(interfaceName, that.interfaceName) && Objects.equals(source, that.source)
				&& Objects.equals(destination, that.destination) && Objects.equals(conntrack, that.conntrack)
				&& rare().equals(that.rare());
	}

	@Override
	public int hashCode() {
		return Objects.hash(timestampNanos, skb, netns, journey, pid, ifindex, where, kind, source, destination,
				sourcePort, destinationPort, rare);
	}

	@Override
	public String toString() {
		Rare facts = rare();
		return "EventRecord[timestampNanos=" + timestampNanos + ", cpu=" + cpu() + ", pid=" + pid + ", comm=" + comm
				+ ", skb=" + skb + ", where=" + where + ", kind=" + kind + ", netns=" + netns + ", ifindex=" + ifindex
				+ ", interfaceName=" + interfaceName + ", mark=" + mark + ", length=" + length + ", etherType="
				+ etherType() + ", ipVersion=" + ipVersion() + ", source=" + source + ", destination=" + destination
				+ ", l4Protocol=" + l4Protocol() + ", sourcePort=" + sourcePort() + ", destinationPort="
				+ destinationPort() + ", icmpType=" + icmpType() + ", icmpCode=" + icmpCode() + ", tcpFlags="
				+ tcpFlags() + ", journey=" + journey + ", conntrack=" + conntrack() + ", "
				+ facts.toString().substring("Rare[".length());
	}
}
