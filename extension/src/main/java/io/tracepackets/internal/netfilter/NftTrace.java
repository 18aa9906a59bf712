package io.tracepackets.internal.netfilter;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One nf_tables trace message ({@code NFT_MSG_TRACE}, what {@code nft monitor trace} prints): a
 * traced packet met a rule, a chain's end (policy) or a return in one chain.
 *
 * @param id the trace id, the same for one packet's messages at one hook
 * @param family the table's family: 1 inet, 2 ip, 10 ip6, 7 bridge, 5 netdev, 3 arp
 * @param table the table's name
 * @param chain the chain's name
 * @param handle the rule's handle; 0 for a policy message
 * @param type {@link #RULE}, {@link #POLICY} or {@link #RETURN}
 * @param verdict the verdict code: 0 drop (with an errno in its upper bits for reject), 1 accept,
 *     -1 continue, -3 jump, -4 goto, -5 return; {@link Integer#MIN_VALUE} when absent
 * @param policy the chain's policy for a policy message (0 drop, 1 accept); -1 otherwise
 * @param packet the packet's addresses and ports, from the first message of this id that carried
 *     its headers; null when none did
 */
public record NftTrace(int id, int family, String table, String chain, long handle, int type, int verdict, int policy,
		Tuple packet) {

	/** {@code NFT_MSG_TRACE} in the nf_tables subsystem: (NFNL_SUBSYS_NFTABLES {@literal <<} 8) | 17. */
	public static final int MESSAGE_TYPE = 10 << 8 | 17;
	public static final int POLICY = 1;
	public static final int RETURN = 2;
	public static final int RULE = 3;

	private static final int NFTA_TRACE_TABLE = 1;
	private static final int NFTA_TRACE_CHAIN = 2;
	private static final int NFTA_TRACE_RULE_HANDLE = 3;
	private static final int NFTA_TRACE_TYPE = 4;
	private static final int NFTA_TRACE_VERDICT = 5;
	private static final int NFTA_TRACE_ID = 6;
	private static final int NFTA_TRACE_NETWORK_HEADER = 8;
	private static final int NFTA_TRACE_TRANSPORT_HEADER = 9;
	private static final int NFTA_TRACE_POLICY = 16;
	private static final int NFTA_VERDICT_CODE = 1;

	/**
	 * A packet's identity as netfilter saw it.
	 *
	 * @param source the IP source
	 * @param destination the IP destination
	 * @param protocol the L4 protocol number (the IPv6 next header, without walking extensions)
	 * @param sourcePort TCP/UDP source port, else 0
	 * @param destinationPort TCP/UDP destination port, else 0
	 */
	public record Tuple(InetAddress source, InetAddress destination, int protocol, int sourcePort,
			int destinationPort) {
	}

	/** Whether this message is a drop: a rule's drop/reject verdict, or a chain's drop policy. */
	public boolean isDrop() {
		if (type == POLICY) {
			return policy == 0 || verdict != Integer.MIN_VALUE && (verdict & 0xff) == 0;
		}
		return type == RULE && verdict != Integer.MIN_VALUE && (verdict & 0xff) == 0;
	}

	/** The table's family as nft spells it. */
	public String familyName() {
		return familyName(family);
	}

	static String familyName(int family) {
		return switch (family) {
			case 1 -> "inet";
			case 2 -> "ip";
			case 3 -> "arp";
			case 5 -> "netdev";
			case 7 -> "bridge";
			case 10 -> "ip6";
			default -> "family" + family;
		};
	}

	/**
	 * Every trace message in one netlink datagram. Messages of other types are skipped.
	 *
	 * @param datagram the bytes {@code recv} returned
	 * @param headers the packet of each trace id seen so far, filled from messages that carry
	 *     headers (the first of each chain), read for those that do not
	 */
	static List<NftTrace> parse(ByteBuffer datagram, java.util.Map<Integer, Tuple> headers) {
		ByteBuffer in = datagram.duplicate().order(ByteOrder.nativeOrder());
		List<NftTrace> traces = new ArrayList<>();
		int offset = in.position();
		while (offset + 16 <= in.limit()) {
			int length = in.getInt(offset);
			int type = in.getShort(offset + 4) & 0xffff;
			if (length < 16 || offset + length > in.limit()) {
				break;
			}
			if (type == MESSAGE_TYPE && length >= 20) {
				traces.add(message(in, offset, length, headers));
			}
			offset += align(length);
		}
		return traces;
	}

	private static NftTrace message(ByteBuffer in, int start, int length, java.util.Map<Integer, Tuple> headers) {
		int family = in.get(start + 16) & 0xff;
		String table = null;
		String chain = null;
		long handle = 0;
		int type = 0;
		int verdict = Integer.MIN_VALUE;
		int policy = -1;
		int id = 0;
		byte[] network = null;
		byte[] transport = null;
		int end = start + length;
		for (int at = start + 20; at + 4 <= end;) {
			int attrLength = in.getShort(at) & 0xffff;
			int attrType = in.getShort(at + 2) & 0x3fff;
			if (attrLength < 4 || at + attrLength > end) {
				break;
			}
			int value = at + 4;
			int size = attrLength - 4;
			switch (attrType) {
				case NFTA_TRACE_TABLE -> table = string(in, value, size);
				case NFTA_TRACE_CHAIN -> chain = string(in, value, size);
				case NFTA_TRACE_RULE_HANDLE -> handle = in.order(ByteOrder.BIG_ENDIAN).getLong(value);
				case NFTA_TRACE_TYPE -> type = in.order(ByteOrder.BIG_ENDIAN).getInt(value);
				case NFTA_TRACE_ID -> id = in.order(ByteOrder.BIG_ENDIAN).getInt(value);
				case NFTA_TRACE_POLICY -> policy = in.order(ByteOrder.BIG_ENDIAN).getInt(value);
				case NFTA_TRACE_VERDICT -> verdict = verdictCode(in, value, value + size);
				case NFTA_TRACE_NETWORK_HEADER -> network = bytes(in, value, size);
				case NFTA_TRACE_TRANSPORT_HEADER -> transport = bytes(in, value, size);
				default -> {
				}
			}
			in.order(ByteOrder.nativeOrder());
			at += align(attrLength);
		}
		Tuple packet = network == null ? null : tuple(network, transport);
		if (packet != null) {
			headers.put(id, packet);
		} else {
			packet = headers.get(id);
		}
		return new NftTrace(id, family, table, chain, handle, type, verdict, policy, packet);
	}

	private static int verdictCode(ByteBuffer in, int from, int to) {
		for (int at = from; at + 4 <= to;) {
			int length = in.getShort(at) & 0xffff;
			int type = in.getShort(at + 2) & 0x3fff;
			if (length < 4) {
				break;
			}
			if (type == NFTA_VERDICT_CODE && length >= 8) {
				int code = in.order(ByteOrder.BIG_ENDIAN).getInt(at + 4);
				in.order(ByteOrder.nativeOrder());
				return code;
			}
			at += align(length);
		}
		return Integer.MIN_VALUE;
	}

	/** The addresses from the IP header, the ports from the transport header (TCP and UDP). */
	static Tuple tuple(byte[] network, byte[] transport) {
		if (network.length < 1) {
			return null;
		}
		int version = (network[0] & 0xff) >> 4;
		InetAddress source;
		InetAddress destination;
		int protocol;
		try {
			if (version == 4 && network.length >= 20) {
				protocol = network[9] & 0xff;
				source = InetAddress.getByAddress(Arrays.copyOfRange(network, 12, 16));
				destination = InetAddress.getByAddress(Arrays.copyOfRange(network, 16, 20));
			} else if (version == 6 && network.length >= 40) {
				protocol = network[6] & 0xff;
				source = InetAddress.getByAddress(Arrays.copyOfRange(network, 8, 24));
				destination = InetAddress.getByAddress(Arrays.copyOfRange(network, 24, 40));
			} else {
				return null;
			}
		} catch (UnknownHostException e) {
			return null;
		}
		int sport = 0;
		int dport = 0;
		if ((protocol == 6 || protocol == 17) && transport != null && transport.length >= 4) {
			sport = (transport[0] & 0xff) << 8 | transport[1] & 0xff;
			dport = (transport[2] & 0xff) << 8 | transport[3] & 0xff;
		}
		return new Tuple(source, destination, protocol, sport, dport);
	}

	private static String string(ByteBuffer in, int from, int size) {
		int end = from;
		while (end < from + size && in.get(end) != 0) {
			end++;
		}
		byte[] text = new byte[end - from];
		in.get(from, text);
		return new String(text, StandardCharsets.UTF_8);
	}

	private static byte[] bytes(ByteBuffer in, int from, int size) {
		byte[] data = new byte[size];
		in.get(from, data);
		return data;
	}

	private static int align(int length) {
		return (length + 3) & ~3;
	}
}
