package io.tracepackets.internal.event;

import io.tracepackets.AddressText;
import io.tracepackets.Conntrack;
import io.tracepackets.ConntrackState;
import io.tracepackets.DropCount;
import io.tracepackets.DropReason;
import io.tracepackets.Encapsulation;
import io.tracepackets.PacketBytes;
import io.tracepackets.PacketEvent;
import io.tracepackets.ProbeKind;
import io.tracepackets.ReturnValue;
import io.tracepackets.internal.btf.DropReasons;
import io.tracepackets.internal.drops.Classification;
import io.tracepackets.internal.drops.ClassificationsSeen;
import io.tracepackets.internal.drops.DropReasonTable;
import io.tracepackets.internal.drops.XdpVerdict;
import io.tracepackets.internal.record.EventRecord;
import io.tracepackets.internal.record.SharedTexts;
import io.tracepackets.internal.symbols.Kallsyms;
import io.tracepackets.internal.symbols.Symbol;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Turns a raw {@code struct tp_event} into a {@link PacketEvent}, naming what the kernel gives as
 * numbers: function and drop-location addresses through kallsyms, drop reasons through the
 * kernel's BTF, stacks through the stack map, interfaces through their namespace.
 */
public final class EventDecoder {

	/** Resolves an interface name in a namespace; null when unknown. */
	@FunctionalInterface
	public interface InterfaceResolver {
		String name(long netns, int ifindex);
	}

	private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
	private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
	/**
	 * Process names and addresses, shared by every decoder of the JVM: direct-mapped, a miss only
	 * costs the object it would have made anyway.
	 */
	private static final AtomicReferenceArray<Comm> COMMS = new AtomicReferenceArray<>(1024);
	private static final AtomicReferenceArray<Address> ADDRESSES = new AtomicReferenceArray<>(4096);
	/** Drop sentences by what fills them, shared by every decoder of the JVM: see {@link #diagnosis}. */
	private static final AtomicReferenceArray<Diagnosis> DIAGNOSES = new AtomicReferenceArray<>(1024);

	/** What each drop meant: one table for every decoder of the JVM. */
	private static final DropReasonTable DROP_KINDS = DropReasonTable.load();

	/** enum ip_conntrack_info (include/uapi/linux/netfilter/nf_conntrack_common.h): tp_event.ct's low bits. */
	private static final int IP_CT_ESTABLISHED = 0;
	private static final int IP_CT_RELATED = 1;
	private static final int IP_CT_NEW = 2;
	private static final int IP_CT_ESTABLISHED_REPLY = 3;
	private static final int IP_CT_RELATED_REPLY = 4;
	private static final int IP_CT_UNTRACKED = 7;

	private final Supplier<Kallsyms> symbols;
	private final Supplier<DropReasons> reasons;
	private final IntFunction<long[]> stacks;
	private final InterfaceResolver interfaces;
	private final Map<Integer, List<String>> stackCache = new ConcurrentHashMap<>();
	/**
	 * Drop locations by address, direct-mapped: a flood's drops happen at the same few places, and
	 * each looked its symbol up and wrote its name again, to find the pooled copy.
	 */
	private final AtomicReferenceArray<Location> locations = new AtomicReferenceArray<>(256);
	/**
	 * Each drop's kind by its reason and location: the table matched the reason's name against a
	 * pattern and wrote the sentence again for every drop of a flood. Kernel code has few places
	 * that drop, each for few reasons; past {@value #MOST_CLASSIFIED}, new ones are not kept.
	 */
	private final Map<Classified, Classification> classifications = new ConcurrentHashMap<>();
	private static final int MOST_CLASSIFIED = 4096;
	/** Each drop reason once: a flood's drops each made (and checked) their own. */
	private final Map<Integer, DropReason> reasonsByValue = new ConcurrentHashMap<>();
	/**
	 * Namespaces where this decoder saw an skb with a conntrack entry: conntrack's hooks run there,
	 * so a netfilter drop of a packet without one is a packet conntrack refused (see
	 * {@link #conntrack}).
	 */
	private final Set<Long> trackingNamespaces = ConcurrentHashMap.newKeySet();

	public EventDecoder(Kallsyms kallsyms, DropReasons dropReasons, IntFunction<long[]> stacks,
			InterfaceResolver interfaces) {
		this(() -> kallsyms, () -> dropReasons, stacks, interfaces);
	}

	/**
	 * A decoder that asks for the kernel's names when an event first needs them (a session reads
	 * them after its start).
	 */
	public EventDecoder(Supplier<Kallsyms> kallsyms, Supplier<DropReasons> dropReasons, IntFunction<long[]> stacks,
			InterfaceResolver interfaces) {
		this.symbols = kallsyms;
		this.reasons = dropReasons;
		this.stacks = stacks;
		this.interfaces = interfaces;
	}

	public EventRecord decode(byte[] record) {
		return decode(record, true);
	}

	/**
	 * Decodes a record this decoder decoded before, for a reader that kept the record instead of
	 * the event: the same event, unless {@link #dependsOnEarlierEvents} said it could differ; the
	 * drop is not counted again for the log.
	 */
	public EventRecord decodeAgain(byte[] record) {
		return decode(record, false);
	}

	/**
	 * Whether decoding {@code event}'s record later could give another event: a netfilter drop of
	 * a packet without a conntrack entry reads as conntrack's refusal once the decoder saw an
	 * entry in its namespace, which an event after it may have been the first to show.
	 */
	public static boolean dependsOnEarlierEvents(PacketEvent event) {
		return event.isDrop() && event.ipVersion() != 0 && isNetfilterDrop(event.dropReason(), event.location())
				&& (event.conntrack().isEmpty() || event.conntrack().get().equals(Conntrack.invalid()));
	}

	private static boolean isNetfilterDrop(DropReason reason, String location) {
		return reason != null && (reason.equals(DropReason.NETFILTER_DROP)
				|| reason.equals(DropReason.NOT_SPECIFIED) && location != null && location.startsWith("nf_hook_slow"));
	}

	private EventRecord decode(byte[] record, boolean firstTime) {
		ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
		int probe = b.get(EventLayout.PROBE) & 0xff;
		int trailers = b.get(EventLayout.TRAILERS) & 0xff;
		long netns = Integer.toUnsignedLong(b.getInt(EventLayout.NETNS));
		int ifindex = b.getInt(EventLayout.IFINDEX);
		String interfaceName = ifindex == 0 ? null : interfaces.name(netns, ifindex);
		int ipVersion = b.get(EventLayout.IP_VERSION) & 0xff;
		long location = b.getLong(EventLayout.LOCATION);

		int l4Protocol = b.get(EventLayout.L4_PROTO) & 0xff;
		// The probes put an ICMP message's type and code where a port pair would be.
		boolean icmp = l4Protocol == PacketEvent.ICMP || l4Protocol == PacketEvent.ICMPV6;
		int sport = b.getShort(EventLayout.SPORT) & 0xffff;
		int dport = b.getShort(EventLayout.DPORT) & 0xffff;
		ProbeKind kind;
		DropReason reason = null;
		Classification classification = null;
		String diagnosis = null;
		String locationText = null;
		List<String> stack = List.of();
		String where = whereOf(probe, location);
		ReturnValue returned = null;
		if (probe == EventLayout.PROBE_FUNCTION) {
			kind = ProbeKind.FUNCTION;
		} else if (probe == EventLayout.PROBE_FUNCTION_RETURN) {
			kind = ProbeKind.FUNCTION_RETURN;
			returned = returnValue(where, b.getInt(EventLayout.DROP_REASON));
		} else if (probe == EventLayout.PROBE_SOCKET_RECEIVE) {
			kind = ProbeKind.HOOK;
		} else if (probe == EventLayout.PROBE_XDP) {
			// fexit on an XDP program, emitted only for its drop verdicts: `location` is its id.
			kind = ProbeKind.HOOK;
			XdpVerdict verdict = XdpVerdict.of(b.getInt(EventLayout.DROP_REASON));
			locationText = XdpVerdict.location(location);
			classification = verdict.classify(location, interfaceName);
			diagnosis = verdict.explain(interfaceName);
		} else {
			kind = ProbeKind.TRACEPOINT;
			if (probe == Tracepoint.KFREE_SKB.id()) {
				reason = reasonNamed(b.getInt(EventLayout.DROP_REASON));
				locationText = location(location);
				classification = classify(reason, locationText);
				diagnosis = diagnosis(record, reason, ipVersion, l4Protocol, dport, netns, ifindex, interfaceName);
				if (firstTime) {
					ClassificationsSeen.count(classification);
				}
				stack = stack(b.getShort(EventLayout.STACK_ID));
			}
		}
		boolean netfilterDrop = isNetfilterDrop(reason, locationText);
		return new EventRecord(b.getLong(EventLayout.TS_NS), b.getShort(EventLayout.CPU) & 0xffff,
				b.getInt(EventLayout.PID), comm(record), b.getLong(EventLayout.SKB), where, kind, netns, ifindex,
				interfaceName, b.getInt(EventLayout.MARK),
				b.getInt(EventLayout.LEN), b.getShort(EventLayout.PROTOCOL) & 0xffff, ipVersion,
				address(record, EventLayout.SADDR, ipVersion), address(record, EventLayout.DADDR, ipVersion),
				l4Protocol, icmp ? 0 : sport, icmp ? 0 : dport, icmp ? sport : -1, icmp ? dport : -1,
				b.get(EventLayout.TCP_FLAGS) & 0xff, reason, classification == null ? null : classification.kind(),
				classification == null ? null : SharedTexts.of(classification.why()), diagnosis, locationText, stack,
				b.getLong(EventLayout.JOURNEY), preNat(record, trailers, EventLayout.PRE_NAT_SADDR, ipVersion),
				preNat(record, trailers, EventLayout.PRE_NAT_DADDR, ipVersion), preNatPort(b, trailers,
						EventLayout.PRE_NAT_SPORT), preNatPort(b, trailers, EventLayout.PRE_NAT_DPORT),
				conntrack(b, trailers, netns, ipVersion, netfilterDrop), null, null, packetBytes(record, b, trailers),
				encapsulation(record, trailers), Optional.ofNullable(returned));
	}

	/**
	 * The sentence a drop is explained with, filled with its packet's facts: made once per reason,
	 * addresses, protocol, port and device (a direct-mapped cache), since a flood's drops are the
	 * same few, and a window decodes each record again on every read.
	 */
	private String diagnosis(byte[] record, DropReason reason, int ipVersion, int l4Protocol, int dport, long netns,
			int ifindex, String interfaceName) {
		DiagnosisKey key = new DiagnosisKey(reason, ipVersion,
				(long) LONG.get(record, EventLayout.SADDR), (long) LONG.get(record, EventLayout.SADDR + 8),
				(long) LONG.get(record, EventLayout.DADDR), (long) LONG.get(record, EventLayout.DADDR + 8), l4Protocol,
				dport, netns, ifindex);
		int slot = key.hashCode() & (DIAGNOSES.length() - 1);
		Diagnosis cached = DIAGNOSES.get(slot);
		if (cached != null && cached.key().equals(key) && java.util.Objects.equals(cached.device(), interfaceName)) {
			return cached.text();
		}
		String text = SharedTexts.of(DROP_KINDS.explain(reason.name(), DropReasonTable.sentenceValues(
				addressText(record, EventLayout.SADDR, ipVersion), addressText(record, EventLayout.DADDR, ipVersion),
				l4Protocol, dport, interfaceName)));
		DIAGNOSES.set(slot, new Diagnosis(key, interfaceName, text));
		return text;
	}

	private record DiagnosisKey(DropReason reason, int ipVersion, long source0, long source1,
			long destination0, long destination1, int l4Protocol, int dport, long netns, int ifindex) {
	}

	private record Diagnosis(DiagnosisKey key, String device, String text) {
	}

	/**
	 * What {@code function} returned: an int, whose negative values are errors; ip_route_input_noref
	 * returns an {@code enum skb_drop_reason} since 6.13 (0 routed), named through the kernel's BTF
	 * like a drop's reason (before, it never returns a positive value).
	 */
	ReturnValue returnValue(String function, int value) {
		if (value > 0 && function.equals("ip_route_input_noref") && !reasons.get().isEmpty()) {
			return new ReturnValue(function, value, reasons.get().name(value));
		}
		return ReturnValue.of(function, value);
	}

	/**
	 * The name events of a probe point carry ({@link PacketEvent#where()}), for the kernel's counts.
	 *
	 * @param probe {@code enum tp_probe}
	 * @param where a function's address for {@code TP_PROBE_FUNCTION}; else unused
	 */
	public String whereOf(int probe, long where) {
		if (probe == EventLayout.PROBE_FUNCTION || probe == EventLayout.PROBE_FUNCTION_RETURN) {
			return symbols.get().symbolize(where).map(Symbol::name).orElse(hex(where));
		}
		if (probe == EventLayout.PROBE_SOCKET_RECEIVE) {
			return PacketEvent.SOCKET_RECEIVE;
		}
		if (probe == EventLayout.PROBE_XDP) {
			return PacketEvent.XDP;
		}
		return Tracepoint.byId(probe).map(Tracepoint::eventName).orElseGet(() -> "probe#" + probe);
	}

	/** An {@code enum skb_drop_reason} value by name; before 5.17 the kernel has none: every drop is unspecified. */
	private DropReason reasonNamed(int reason) {
		DropReason known = reasonsByValue.get(reason);
		if (known != null) {
			return known;
		}
		DropReasons dropReasons = reasons.get();
		DropReason named = dropReasons.isEmpty() ? DropReason.NOT_SPECIFIED
				: DropReason.named(dropReasons.name(reason).replace('#', '_'));
		reasonsByValue.put(reason, named);
		return named;
	}

	/**
	 * A count of drops named as a drop event is: its reason through BTF, its location through
	 * kallsyms, its kind through the drop table.
	 *
	 * @param netns the namespace's inode
	 * @param reason the {@code enum skb_drop_reason} value (0 before 5.17)
	 * @param location the address kfree_skb reported
	 * @param count how many the probes counted
	 */
	public DropCount dropCount(long netns, int reason, long location, long count) {
		DropReason named = reasonNamed(reason);
		String at = location == 0 ? "0x0" : symbolize(location);
		return new DropCount(netns, named, DROP_KINDS.classify(named.name(), at).kind(), at, count);
	}

	/** Whether the record carries a NAT trailer that fits in it (for a translation, or a conntrack zone or mark). */
	private static boolean hasTrailer(int trailers, int recordLength) {
		return (trailers & EventLayout.TRAILER_NAT) != 0
				&& recordLength >= EventLayout.SIZE + EventLayout.PRE_NAT_KEPT;
	}

	/** Whether the record carries a tuple from before a translation: a NAT trailer whose nat bits are set. */
	private static boolean hasPreNat(int trailers, int recordLength, byte[] record) {
		return hasTrailer(trailers, recordLength) && record[EventLayout.SIZE + EventLayout.PRE_NAT_NAT] != 0;
	}

	/**
	 * The skb's conntrack entry (tp_event.ct, and the trailer's zone and mark), or INVALID: the
	 * kernel takes the entry away from a packet conntrack refuses (nf_conntrack_in sets _nfct to
	 * 0), so no entry at a netfilter drop, in a namespace where conntrack gave an entry to an
	 * earlier packet (this decoder's, one trace's: namespace inodes are not reused within it), is
	 * what {@code --ctstate INVALID} matched. A drop by a rule that runs before
	 * conntrack (the raw table) in such a namespace would read the same: the kernel leaves no
	 * trace of the difference on the skb.
	 */
	private Optional<Conntrack> conntrack(ByteBuffer b, int trailers, long netns, int ipVersion,
			boolean netfilterDrop) {
		int ct = b.get(EventLayout.CT) & 0xff;
		if ((ct & EventLayout.CT_ENTRY) == 0) {
			return netfilterDrop && ipVersion != 0 && trackingNamespaces.contains(netns)
					? Optional.of(Conntrack.invalid()) : Optional.empty();
		}
		int info = ct & EventLayout.CT_INFO;
		ConntrackState state = switch (info) {
			case IP_CT_ESTABLISHED, IP_CT_ESTABLISHED_REPLY -> ConntrackState.ESTABLISHED;
			case IP_CT_RELATED, IP_CT_RELATED_REPLY -> ConntrackState.RELATED;
			case IP_CT_NEW -> ConntrackState.NEW;
			case IP_CT_UNTRACKED -> ConntrackState.UNTRACKED;
			default -> null; // 5, 6: no state the kernel puts on an skb
		};
		if (state == null) {
			return Optional.empty();
		}
		if (state != ConntrackState.UNTRACKED) {
			trackingNamespaces.add(netns);
		}
		boolean trailer = hasTrailer(trailers, b.capacity());
		return Optional.of(new Conntrack(state, info == IP_CT_ESTABLISHED_REPLY || info == IP_CT_RELATED_REPLY,
				(ct & EventLayout.CT_CONFIRMED) != 0, (ct & EventLayout.CT_SOURCE_NAT) != 0,
				(ct & EventLayout.CT_DESTINATION_NAT) != 0,
				trailer ? b.getShort(EventLayout.SIZE + EventLayout.PRE_NAT_ZONE) & 0xffff : 0,
				trailer ? b.getInt(EventLayout.SIZE + EventLayout.PRE_NAT_CT_MARK) : 0));
	}

	/**
	 * An overlay's packet on the underlay: the trailer holds the outer headers (its tuple, the
	 * family in {@code tunnel}, the VNI), the event the inner packet's tuple.
	 */
	private static Optional<Encapsulation> encapsulation(byte[] record, int trailers) {
		if (!hasTrailer(trailers, record.length)) {
			return Optional.empty();
		}
		int tunnel = record[EventLayout.SIZE + EventLayout.PRE_NAT_TUNNEL] & 0xff;
		int family = tunnel == EventLayout.TUNNEL_VXLAN4 ? 4 : tunnel == EventLayout.TUNNEL_VXLAN6 ? 6 : 0;
		if (family == 0) {
			return Optional.empty();
		}
		ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
		int at = EventLayout.SIZE + EventLayout.PRE_NAT_VNI;
		int vni = (record[at] & 0xff) << 16 | (record[at + 1] & 0xff) << 8 | record[at + 2] & 0xff;
		return Optional.of(new Encapsulation("vxlan", address(record, EventLayout.SIZE + EventLayout.PRE_NAT_SADDR,
				family), address(record, EventLayout.SIZE + EventLayout.PRE_NAT_DADDR, family),
				b.getShort(EventLayout.SIZE + EventLayout.PRE_NAT_SPORT) & 0xffff,
				b.getShort(EventLayout.SIZE + EventLayout.PRE_NAT_DPORT) & 0xffff, vni));
	}

	/** An address of the NAT trailer: only where conntrack says the packet was translated. */
	private static InetAddress preNat(byte[] record, int trailers, int field, int ipVersion) {
		return hasPreNat(trailers, record.length, record) ? address(record, EventLayout.SIZE + field, ipVersion) : null;
	}

	/** A port of the NAT trailer; 0 without one. */
	private static int preNatPort(ByteBuffer b, int trailers, int field) {
		return hasPreNat(trailers, b.capacity(), b.array()) ? b.getShort(EventLayout.SIZE + field) & 0xffff : 0;
	}

	/** The packet bytes of the capture trailer; empty when the record has none or nothing was captured. */
	private static java.util.Optional<PacketBytes> packetBytes(byte[] record, ByteBuffer b, int trailers) {
		int at = EventLayout.captureOffset(trailers);
		if ((trailers & EventLayout.TRAILER_CAPTURE) == 0 || record.length < at + EventLayout.CAPTURE_HEADER_SIZE) {
			return java.util.Optional.empty();
		}
		int linkType = b.getShort(at + EventLayout.CAPTURE_LINK_TYPE) & 0xffff;
		int captured = b.getShort(at + EventLayout.CAPTURE_CAP_LEN) & 0xffff;
		int bytesAt = at + EventLayout.CAPTURE_HEADER_SIZE;
		if (linkType == 0 || captured == 0 || bytesAt + captured > record.length) {
			return java.util.Optional.empty();
		}
		int original = Math.max(captured, b.getInt(at + EventLayout.CAPTURE_ORIG_LEN));
		return java.util.Optional.of(new PacketBytes(PacketBytes.Layer.ofLinkType(linkType), original,
				Arrays.copyOfRange(record, bytesAt, bytesAt + captured)));
	}

	/** An address of the record as sentences print it; null when the packet has no IP header. */
	private static String addressText(byte[] record, int offset, int ipVersion) {
		InetAddress address = address(record, offset, ipVersion);
		return address == null ? null : AddressText.of(address);
	}

	private String symbolize(long address) {
		return address == 0 ? null
				: SharedTexts.of(symbols.get().symbolize(address).map(Symbol::toString).orElse(hex(address)));
	}

	/** A drop's location as {@link #symbolize} names it, from the cache when it was named before. */
	private String location(long address) {
		int slot = slot(address, locations.length());
		Location cached = locations.getPlain(slot);
		if (cached != null && cached.address() == address) {
			return cached.text();
		}
		String text = symbolize(address);
		locations.setPlain(slot, new Location(address, text));
		return text;
	}

	private Classification classify(DropReason reason, String location) {
		Classified key = new Classified(reason, location);
		Classification known = classifications.get(key);
		if (known == null) {
			known = DROP_KINDS.classify(reason.name(), location);
			if (classifications.size() < MOST_CLASSIFIED) {
				classifications.put(key, known);
			}
		}
		return known;
	}

	private record Classified(DropReason reason, String location) {
	}

	/** A named drop location; immutable, so a racing reader sees it whole or not at all. */
	private record Location(long address, String text) {
	}

	/** Kernel frames only: the first frames are the BPF program and the tracepoint plumbing. */
	private List<String> stack(int stackId) {
		if (stackId < 0) {
			return List.of();
		}
		return stackCache.computeIfAbsent(stackId, id -> {
			List<String> frames = new ArrayList<>();
			for (long address : stacks.apply(id)) {
				if (symbols.get().isKernelText(address)) {
					frames.add(symbolize(address));
				}
			}
			return List.copyOf(frames);
		});
	}

	/**
	 * The process name: the same few names come back on millions of events, so each is one shared
	 * string (a flood's events each carried a copy of {@code "swapper/1"}, 56 bytes of heap).
	 */
	private static String comm(byte[] record) {
		long low = (long) LONG.get(record, EventLayout.COMM);
		long high = (long) LONG.get(record, EventLayout.COMM + 8);
		int slot = slot(low * 31 + high, COMMS.length());
		Comm cached = COMMS.getPlain(slot);
		if (cached != null && cached.low() == low && cached.high() == high) {
			return cached.text();
		}
		int end = EventLayout.COMM;
		while (end < EventLayout.COMM + EventLayout.COMM_LEN && record[end] != 0) {
			end++;
		}
		String text = new String(record, EventLayout.COMM, end - EventLayout.COMM, StandardCharsets.UTF_8);
		COMMS.setPlain(slot, new Comm(low, high, text));
		return text;
	}

	/**
	 * The address at {@code offset}: one shared {@link InetAddress} per address (immutable, so
	 * every event of a flood between two hosts holds the same two, instead of 48 bytes of heap each).
	 */
	private static InetAddress address(byte[] record, int offset, int ipVersion) {
		int length = ipVersion == 4 ? 4 : ipVersion == 6 ? 16 : 0;
		if (length == 0) {
			return null;
		}
		long high = length == 4 ? (int) INT.get(record, offset) & 0xffffffffL : (long) LONG.get(record, offset);
		long low = length == 4 ? -1 : (long) LONG.get(record, offset + 8);
		int slot = slot(high * 31 + low, ADDRESSES.length());
		Address cached = ADDRESSES.getPlain(slot);
		if (cached != null && cached.high() == high && cached.low() == low) {
			return cached.address();
		}
		try {
			InetAddress address = InetAddress.getByAddress(Arrays.copyOfRange(record, offset, offset + length));
			ADDRESSES.setPlain(slot, new Address(high, low, address));
			return address;
		} catch (UnknownHostException e) {
			throw new IllegalStateException(e); // only for a wrong length, excluded above
		}
	}

	/** A slot of a direct-mapped cache of {@code size} (a power of two) for {@code key}: its high bits, mixed. */
	private static int slot(long key, int size) {
		long z = key * 0x9E3779B97F4A7C15L;
		return (int) (z >>> 40) & (size - 1);
	}

	/** A cached process name, by its 16 bytes; immutable, so a racing reader sees it whole or not at all. */
	private record Comm(long low, long high, String text) {
	}

	/** A cached address, by its bytes (IPv4: the 4 bytes and -1). */
	private record Address(long high, long low, InetAddress address) {
	}

	private static String hex(long address) {
		return "0x" + Long.toHexString(address);
	}
}
