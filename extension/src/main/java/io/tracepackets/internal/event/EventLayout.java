package io.tracepackets.internal.event;

/**
 * The byte layout of {@code struct tp_event} (bpf/include/tracepackets.h), mirrored here once.
 * EventLayoutTest checks it against the compiled object's debug info (DWARF) so the two cannot
 * drift apart.
 */
public final class EventLayout {

	public static final int SIZE = 160;

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
	public static final int CT_SADDR = 120;
	public static final int CT_DADDR = 136;
	public static final int CT_SPORT = 152;
	public static final int CT_DPORT = 154;
	public static final int CT_NAT = 156;
	public static final int CT_REPLY = 157;
	public static final int RESERVED2 = 158;
	public static final int ADDR_LEN = 16;
	public static final int COMM_LEN = 16;

	/** enum tp_probe values that are not tracepoints. */
	public static final int PROBE_SOCKET_RECEIVE = 8;
	public static final int PROBE_XDP = 9;
	public static final int PROBE_FUNCTION = 16;
	public static final int PROBE_SYNTHETIC = 253;
	public static final int PROBE_MARKER = 254;

	/** enum tp_nat: tp_event.ct_nat bits. */
	public static final int NAT_SOURCE = 1;
	public static final int NAT_DESTINATION = 2;

	/** enum tp_mode. */
	public static final int MODE_OFF = 0;
	public static final int MODE_NETNS = 1;
	public static final int MODE_ALL = 2;
	/** {@code TP_INLINE_NETNS}: how many scoped inodes {@code struct tp_config} carries itself. */
	public static final int INLINE_NETNS = 8;
	/** {@code sizeof(struct tp_config)}: mode, follow_copies, count, the inline inodes. */
	public static final int CONFIG_SIZE = 4 * (3 + INLINE_NETNS);

	/** enum tp_counter. */
	public static final int COUNTER_EMITTED = 0;
	public static final int COUNTER_LOST = 1;

	/**
	 * A record with packet bytes (the tracer asked for a snap length) is the event, then
	 * {@code struct tp_capture} at {@link #SIZE}, then the bytes: longer than {@link #SIZE}.
	 */
	public static final int CAPTURE_ORIG_LEN = 0;
	public static final int CAPTURE_CAP_LEN = 4;
	public static final int CAPTURE_LINK_TYPE = 6;
	public static final int CAPTURE_HEADER_SIZE = 8;

	/** The bytes of a record with {@code snapLength} packet bytes (0: an event alone). */
	public static int recordSize(int snapLength) {
		return snapLength == 0 ? SIZE : SIZE + CAPTURE_HEADER_SIZE + snapLength;
	}

	private EventLayout() {
	}
}
