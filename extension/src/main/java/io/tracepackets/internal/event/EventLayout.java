package io.tracepackets.internal.event;

/**
 * The byte layout of {@code struct tp_event} (bpf/include/tracepackets.h), mirrored here once.
 * EventLayoutTest checks it against the compiled object's debug info (DWARF) so the two cannot
 * drift apart.
 */
public final class EventLayout {

	public static final int SIZE = 120;

	public static final int TS_NS = 0;
	public static final int SKB = 8;
	public static final int LOCATION = 16;
	public static final int NETNS = 24;
	public static final int IFINDEX = 28;
	public static final int MARK = 32;
	public static final int LEN = 36;
	public static final int PID = 40;
	public static final int DROP_REASON = 44;
	public static final int STACK_ID = 48;
	public static final int TRAILERS = 50;
	public static final int CT = 51;
	public static final int CPU = 52;
	public static final int PROTOCOL = 54;
	public static final int PROBE = 56;
	public static final int IP_VERSION = 57;
	public static final int L4_PROTO = 58;
	public static final int TCP_FLAGS = 59;
	public static final int SPORT = 60;
	public static final int DPORT = 62;
	public static final int SADDR = 64;
	public static final int DADDR = 80;
	public static final int COMM = 96;
	public static final int JOURNEY = 112;
	public static final int ADDR_LEN = 16;
	public static final int COMM_LEN = 16;

	/** enum tp_probe values that are not tracepoints. */
	public static final int PROBE_SOCKET_RECEIVE = 8;
	public static final int PROBE_XDP = 9;
	public static final int PROBE_FUNCTION = 16;
	/** TP_PROBE_FUNCTION_RETURN: the function's address in LOCATION, its return value in DROP_REASON. */
	public static final int PROBE_FUNCTION_RETURN = 17;
	public static final int PROBE_SYNTHETIC = 253;
	public static final int PROBE_MARKER = 254;

	/**
	 * enum tp_ct: tp_event.ct bits, the skb's conntrack entry (0: none). {@link #CT_INFO} masks the
	 * kernel's enum ip_conntrack_info.
	 */
	public static final int CT_INFO = 7;
	public static final int CT_CONFIRMED = 8;
	public static final int CT_SOURCE_NAT = 16;
	public static final int CT_DESTINATION_NAT = 32;
	public static final int CT_ENTRY = 128;

	/** enum tp_trailer: tp_event.trailers bits, which trailers follow the event, in this order. */
	public static final int TRAILER_NAT = 1;
	public static final int TRAILER_CAPTURE = 2;

	/**
	 * {@code struct tp_pre_nat}, the NAT trailer (right after the event when {@link #TRAILER_NAT} is
	 * set): conntrack's tuple of a translated packet, its tuple before the translation ({@link
	 * #PRE_NAT_NAT} not 0), and the conntrack entry's zone and mark (the trailer is there for them
	 * alone when nat is 0).
	 */
	public static final int PRE_NAT_SADDR = 0;
	public static final int PRE_NAT_DADDR = 16;
	public static final int PRE_NAT_SPORT = 32;
	public static final int PRE_NAT_DPORT = 34;
	public static final int PRE_NAT_NAT = 36;
	public static final int PRE_NAT_REPLY = 37;
	public static final int PRE_NAT_ZONE = 38;
	public static final int PRE_NAT_CT_MARK = 40;
	/** An encapsulated packet's VNI, 3 bytes in network order (when {@link #PRE_NAT_TUNNEL} is set). */
	public static final int PRE_NAT_VNI = 44;
	/** enum tp_tunnel: the event's tuple is the inner packet's, the trailer's the outer headers'. */
	public static final int PRE_NAT_TUNNEL = 47;
	public static final int PRE_NAT_RESERVED = 48;
	public static final int PRE_NAT_SIZE = 64;
	/** The NAT trailer's bytes the store keeps without packet bytes: its fields, not its padding. */
	public static final int PRE_NAT_KEPT = 48;

	/** enum tp_tunnel: tp_pre_nat.tunnel, VXLAN over IPv4 or IPv6. */
	public static final int TUNNEL_VXLAN4 = 1;
	public static final int TUNNEL_VXLAN6 = 2;

	/** enum tp_nat: tp_pre_nat.nat bits. */
	public static final int NAT_SOURCE = 1;
	public static final int NAT_DESTINATION = 2;

	/** enum tp_mode. */
	public static final int MODE_OFF = 0;
	public static final int MODE_NETNS = 1;
	public static final int MODE_ALL = 2;
	/** {@code TP_INLINE_NETNS}: how many scoped inodes {@code struct tp_config} carries itself. */
	public static final int INLINE_NETNS = 8;
	/** {@code TP_HOOK_COUNTS}: the counters of a row of {@code hook_counts}, one per probe id below it. */
	public static final int HOOK_COUNTS = 16;
	/** {@code sizeof(struct tp_config)}: mode, follow_copies, count, the inodes' bits, the inline inodes. */
	public static final int CONFIG_SIZE = 4 * (4 + INLINE_NETNS);

	/** enum tp_counter. */
	public static final int COUNTER_EMITTED = 0;
	public static final int COUNTER_LOST = 1;
	public static final int COUNTER_UNCOUNTED = 2;

	/**
	 * {@code struct tp_count_key}: the key of the {@code counts} map, where the probes count every
	 * event they would emit (netns, probe, drop reason, location or function address).
	 */
	public static final int COUNT_KEY_NETNS = 0;
	public static final int COUNT_KEY_PROBE = 4;
	public static final int COUNT_KEY_REASON = 8;
	public static final int COUNT_KEY_RESERVED = 12;
	public static final int COUNT_KEY_WHERE = 16;
	public static final int COUNT_KEY_SIZE = 24;

	/**
	 * {@code struct tp_capture}: in a record with packet bytes ({@link #TRAILER_CAPTURE}, when the
	 * tracer asked for a snap length), after the event and its NAT trailer if any, then the bytes.
	 */
	public static final int CAPTURE_ORIG_LEN = 0;
	public static final int CAPTURE_CAP_LEN = 4;
	public static final int CAPTURE_LINK_TYPE = 6;
	public static final int CAPTURE_HEADER_SIZE = 8;

	/**
	 * The bytes the store keeps of each record of a tracer with {@code snapLength} packet bytes
	 * (0: no capture), enough for the longest: the event, a NAT trailer, the capture trailer and
	 * its bytes; without a capture, only the NAT trailer's fields (48 of its 64 bytes) ({@link #PRE_NAT_KEPT}), not the
	 * padding that keeps the ring buffer's records whole cache lines. Shorter records (no NAT
	 * trailer) are kept padded with zeros; {@code tp_event.trailers} tells what a record holds.
	 */
	public static int recordSize(int snapLength) {
		return snapLength == 0 ? SIZE + PRE_NAT_KEPT : SIZE + PRE_NAT_SIZE + CAPTURE_HEADER_SIZE + snapLength;
	}

	/** Where the trailer after the NAT trailer (if any) starts in a record with these {@code trailers} bits. */
	public static int captureOffset(int trailers) {
		return SIZE + ((trailers & TRAILER_NAT) != 0 ? PRE_NAT_SIZE : 0);
	}

	private EventLayout() {
	}
}
