package io.tracepackets.internal.netfilter;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

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

	/** IPv4 addresses by their bytes, direct-mapped: see {@link #ipv4}. */
	private static final AtomicReferenceArray<CachedAddress> IPV4 = new AtomicReferenceArray<>(1024);

	private record CachedAddress(int raw, InetAddress address) {
	}

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
		return isDrop(type, verdict, policy);
	}

	private static boolean isDrop(int type, int verdict, int policy) {
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
	 * The drops among the trace messages of one netlink datagram. Messages of other types are
	 * skipped.
	 *
	 * @param datagram the bytes {@code recv} returned
	 * @param headers the packet of each trace id seen so far, filled from messages that carry
	 *     headers (the first of each chain), read for those that do not
	 */
	static List<NftTrace> parse(ByteBuffer datagram, Map<Integer, Tuple> headers) {
		List<NftTrace> drops = new ArrayList<>();
		ByteBuffer in = datagram.duplicate().order(ByteOrder.nativeOrder());
		drops(in, in.position(), in.limit(), headers, drops::add);
		return drops;
	}

	/**
	 * As {@link #parse}, into {@code drops}, from {@code in} (native byte order) between {@code from}
	 * and {@code to}. Only a drop makes objects: the kernel reports every rule verdict of every
	 * traced packet, so a flood's millions of messages that are no drop cost no garbage but the
	 * tuple of those that carry headers.
	 */
	static void drops(ByteBuffer in, int from, int to, Map<Integer, Tuple> headers, Consumer<NftTrace> drops) {
		int offset = from;
		while (offset + 16 <= to) {
			int length = in.getInt(offset);
			int type = in.getShort(offset + 4) & 0xffff;
			if (length < 16 || offset + length > to) {
				break;
			}
			if (type == MESSAGE_TYPE && length >= 20) {
				NftTrace drop = dropIn(in, offset, length, headers);
				if (drop != null) {
					drops.accept(drop);
				}
			}
			offset += align(length);
		}
	}

	/** The message's drop, or null when it is none (its packet is remembered for its trace id). */
	private static NftTrace dropIn(ByteBuffer in, int start, int length, Map<Integer, Tuple> headers) {
		int family = in.get(start + 16) & 0xff;
		int table = -1;
		int chain = -1;
		int network = -1;
		int transport = -1;
		long handle = 0;
		int type = 0;
		int verdict = Integer.MIN_VALUE;
		int policy = -1;
		int id = 0;
		int end = start + length;
		for (int at = start + 20; at + 4 <= end;) {
			int attrLength = in.getShort(at) & 0xffff;
			int attrType = in.getShort(at + 2) & 0x3fff;
			if (attrLength < 4 || at + attrLength > end) {
				break;
			}
			int value = at + 4;
			switch (attrType) {
				case NFTA_TRACE_TABLE -> table = at;
				case NFTA_TRACE_CHAIN -> chain = at;
				case NFTA_TRACE_RULE_HANDLE -> handle = bigEndianLong(in, value);
				case NFTA_TRACE_TYPE -> type = bigEndianInt(in, value);
				case NFTA_TRACE_ID -> id = bigEndianInt(in, value);
				case NFTA_TRACE_POLICY -> policy = bigEndianInt(in, value);
				case NFTA_TRACE_VERDICT -> verdict = verdictCode(in, value, at + attrLength);
				case NFTA_TRACE_NETWORK_HEADER -> network = at;
				case NFTA_TRACE_TRANSPORT_HEADER -> transport = at;
				default -> {
				}
			}
			at += align(attrLength);
		}
		Tuple packet = network < 0 ? null : tuple(in, network, transport);
		boolean drop = isDrop(type, verdict, policy);
		if (packet != null) {
			headers.put(id, packet);
		} else if (drop) {
			packet = headers.get(id);
		}
		return drop ? new NftTrace(id, family, string(in, table), string(in, chain), handle, type, verdict, policy, packet)
				: null;
	}

	private static int bigEndianInt(ByteBuffer in, int at) {
		int value = in.getInt(at);
		return in.order() == ByteOrder.BIG_ENDIAN ? value : Integer.reverseBytes(value);
	}

	private static long bigEndianLong(ByteBuffer in, int at) {
		long value = in.getLong(at);
		return in.order() == ByteOrder.BIG_ENDIAN ? value : Long.reverseBytes(value);
	}

	private static int verdictCode(ByteBuffer in, int from, int to) {
		for (int at = from; at + 4 <= to;) {
			int length = in.getShort(at) & 0xffff;
			int type = in.getShort(at + 2) & 0x3fff;
			if (length < 4) {
				break;
			}
			if (type == NFTA_VERDICT_CODE && length >= 8) {
				return bigEndianInt(in, at + 4);
			}
			at += align(length);
		}
		return Integer.MIN_VALUE;
	}

	/**
	 * The addresses from the IP header, the ports from the transport header (TCP and UDP): the
	 * attributes at {@code network} and {@code transport} (-1: none).
	 */
	private static Tuple tuple(ByteBuffer in, int network, int transport) {
		int size = (in.getShort(network) & 0xffff) - 4;
		int at = network + 4;
		if (size < 1) {
			return null;
		}
		int version = (in.get(at) & 0xff) >> 4;
		InetAddress source;
		InetAddress destination;
		int protocol;
		if (version == 4 && size >= 20) {
			protocol = in.get(at + 9) & 0xff;
			source = ipv4(in.getInt(at + 12));
			destination = ipv4(in.getInt(at + 16));
		} else if (version == 6 && size >= 40) {
			protocol = in.get(at + 6) & 0xff;
			source = ipv6(in, at + 8);
			destination = ipv6(in, at + 24);
		} else {
			return null;
		}
		int sport = 0;
		int dport = 0;
		if ((protocol == 6 || protocol == 17) && transport >= 0 && (in.getShort(transport) & 0xffff) - 4 >= 4) {
			sport = (in.get(transport + 4) & 0xff) << 8 | in.get(transport + 5) & 0xff;
			dport = (in.get(transport + 6) & 0xff) << 8 | in.get(transport + 7) & 0xff;
		}
		return new Tuple(source, destination, protocol, sport, dport);
	}

	/**
	 * An IPv4 address from its four bytes as read in any byte order ({@code raw}): one object per
	 * address in a direct-mapped cache, since a flood's messages name the same few.
	 */
	private static InetAddress ipv4(int raw) {
		int slot = (raw * 0x9E3779B9 >>> 22) & (IPV4.length() - 1);
		CachedAddress cached = IPV4.get(slot);
		if (cached != null && cached.raw() == raw) {
			return cached.address();
		}
		byte[] bytes = new byte[4];
		ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putInt(raw);
		try {
			InetAddress address = InetAddress.getByAddress(bytes);
			IPV4.set(slot, new CachedAddress(raw, address));
			return address;
		} catch (UnknownHostException e) {
			throw new IllegalStateException(e); // four bytes are always an address
		}
	}

	private static InetAddress ipv6(ByteBuffer in, int at) {
		byte[] bytes = new byte[16];
		in.get(at, bytes);
		try {
			return InetAddress.getByAddress(bytes);
		} catch (UnknownHostException e) {
			throw new IllegalStateException(e); // sixteen bytes are always an address
		}
	}

	/** The NUL-terminated string of the attribute at {@code at}; null when there is none (-1). */
	private static String string(ByteBuffer in, int at) {
		if (at < 0) {
			return null;
		}
		int from = at + 4;
		int to = at + (in.getShort(at) & 0xffff);
		int end = from;
		while (end < to && in.get(end) != 0) {
			end++;
		}
		byte[] text = new byte[end - from];
		in.get(from, text);
		return new String(text, StandardCharsets.UTF_8);
	}

	private static int align(int length) {
		return (length + 3) & ~3;
	}
}
