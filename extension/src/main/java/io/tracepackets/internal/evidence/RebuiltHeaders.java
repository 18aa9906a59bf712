package io.tracepackets.internal.evidence;

import io.tracepackets.PacketEvent;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The IP and transport headers of an event the probes copied no bytes of, rebuilt from the tuple
 * they did read: addresses, protocol, ports, TCP flags, ICMP type and code. A frame Wireshark can
 * dissect instead of an empty one: its headers are consistent (lengths and checksums match what
 * is written), its payload is left out, and the comment says it was rebuilt. Starts at the IP
 * header (LINKTYPE_RAW).
 */
final class RebuiltHeaders {

	private static final int IPV4_HEADER = 20;
	private static final int IPV6_HEADER = 40;
	private static final int HOP_LIMIT = 64;

	private RebuiltHeaders() {
	}

	/** The headers, or empty when the kernel found no IP header (ARP, say): nothing to rebuild from. */
	static Optional<byte[]> of(PacketEvent e) {
		boolean v4 = e.ipVersion() == 4 && e.source() instanceof Inet4Address && e.destination() instanceof Inet4Address;
		boolean v6 = e.ipVersion() == 6 && e.source() instanceof Inet6Address && e.destination() instanceof Inet6Address;
		if (!v4 && !v6) {
			return Optional.empty();
		}
		byte[] transport = transport(e);
		byte[] source = e.source().getAddress();
		byte[] destination = e.destination().getAddress();
		int headerLength = v4 ? IPV4_HEADER : IPV6_HEADER;
		ByteBuffer packet = ByteBuffer.allocate(headerLength + transport.length);
		packet.put(ipHeader(v4, transport.length, e.l4Protocol(), source, destination));
		int checksumAt = checksumOffset(e.l4Protocol());
		if (checksumAt >= 0) {
			// ICMP (v4) sums its own bytes; TCP, UDP and ICMPv6 add the pseudo-header of their IP version.
			long pseudo = e.l4Protocol() == PacketEvent.ICMP ? 0
					: sum(source) + sum(destination) + e.l4Protocol() + transport.length;
			transport[checksumAt] = 0;
			transport[checksumAt + 1] = 0;
			short sum = checksum(transport, 0, transport.length, pseudo);
			if (e.l4Protocol() == PacketEvent.UDP && sum == 0) {
				sum = (short) 0xFFFF; // 0 means "no checksum" in UDP
			}
			transport[checksumAt] = (byte) (sum >> 8);
			transport[checksumAt + 1] = (byte) sum;
		}
		packet.put(transport);
		return Optional.of(packet.array());
	}

	/** TCP's 20 bytes (no options), UDP's 8, ICMP's 8 and ICMPv6's fixed part; nothing for another protocol. */
	private static byte[] transport(PacketEvent e) {
		return switch (e.l4Protocol()) {
			case PacketEvent.TCP -> ByteBuffer.allocate(20).putShort((short) e.sourcePort())
					.putShort((short) e.destinationPort()).putInt(0).putInt(0).put((byte) 0x50) // data offset 5 words
					.put((byte) e.tcpFlags()).putShort((short) 0xFFFF).putShort((short) 0).putShort((short) 0).array();
			case PacketEvent.UDP -> ByteBuffer.allocate(8).putShort((short) e.sourcePort())
					.putShort((short) e.destinationPort()).putShort((short) 8).putShort((short) 0).array();
			case PacketEvent.ICMP, PacketEvent.ICMPV6 -> icmp(e);
			default -> new byte[0];
		};
	}

	/**
	 * ICMPv6 messages whose fixed part is longer than ICMP's 8 bytes: a shorter one is malformed to
	 * Wireshark. Neighbour discovery (RFC 4861: router advertisement, neighbour solicitation and
	 * advertisement, redirect) and MLDv1 (RFC 2710) carry addresses or timers there, left as zeros
	 * (the unspecified address) since the probes do not read them.
	 */
	private static final Map<Integer, Integer> ICMPV6_FIXED_LENGTHS = Map.of(130, 24, 131, 24, 132, 24, 134, 16,
			135, 24, 136, 24, 137, 40);

	/** ICMP's error messages, which quote the packet they answer. */
	private static final Set<Integer> ICMP_ERRORS = Set.of(3, 4, 5, 11, 12);
	private static final Set<Integer> ICMPV6_ERRORS = Set.of(1, 2, 3, 4);
	/** What a quoted header says follows it: IPv6's "no next header", IPv4's reserved 255. */
	private static final int NOTHING_QUOTED = 59;
	private static final int RESERVED_PROTOCOL = 255;

	/**
	 * The ICMP message: type and code, its type's fixed part as zeros, and for an error, the IP
	 * header of the packet it answers as it must have been (from the error's destination to its
	 * source), without what followed it, which the probes did not read.
	 */
	private static byte[] icmp(PacketEvent e) {
		boolean v6 = e.l4Protocol() == PacketEvent.ICMPV6;
		boolean error = (v6 ? ICMPV6_ERRORS : ICMP_ERRORS).contains(e.icmpType());
		int fixed = v6 ? ICMPV6_FIXED_LENGTHS.getOrDefault(e.icmpType(), 8) : 8;
		ByteBuffer message = ByteBuffer.allocate(fixed + (error ? v6 ? IPV6_HEADER : IPV4_HEADER : 0))
				.put((byte) Math.max(0, e.icmpType())).put((byte) Math.max(0, e.icmpCode()));
		if (error) {
			message.position(fixed);
			byte[] quoted = ipHeader(!v6, 0, v6 ? NOTHING_QUOTED : RESERVED_PROTOCOL, e.destination().getAddress(),
					e.source().getAddress());
			message.put(quoted);
		}
		return message.array();
	}

	/** An IPv4 header (checksum set) or an IPv6 one, for {@code payload} bytes of {@code protocol}. */
	private static byte[] ipHeader(boolean v4, int payload, int protocol, byte[] source, byte[] destination) {
		ByteBuffer header = ByteBuffer.allocate(v4 ? IPV4_HEADER : IPV6_HEADER);
		if (v4) {
			header.put((byte) 0x45).put((byte) 0).putShort((short) (IPV4_HEADER + payload))
					.putShort((short) 0).putShort((short) 0x4000) // id 0, don't fragment
					.put((byte) HOP_LIMIT).put((byte) protocol).putShort((short) 0).put(source).put(destination);
			header.putShort(10, checksum(header.array(), 0, IPV4_HEADER, 0));
		} else {
			header.putInt(0x6000_0000).putShort((short) payload).put((byte) protocol).put((byte) HOP_LIMIT)
					.put(source).put(destination);
		}
		return header.array();
	}

	private static int checksumOffset(int protocol) {
		return switch (protocol) {
			case PacketEvent.TCP -> 16;
			case PacketEvent.UDP -> 6;
			case PacketEvent.ICMP, PacketEvent.ICMPV6 -> 2;
			default -> -1;
		};
	}

	/** The 16-bit words of {@code bytes}, summed (for a pseudo-header). */
	private static long sum(byte[] bytes) {
		long sum = 0;
		for (int i = 0; i < bytes.length; i += 2) {
			sum += ((bytes[i] & 0xFF) << 8) | (i + 1 < bytes.length ? bytes[i + 1] & 0xFF : 0);
		}
		return sum;
	}

	/** The Internet checksum (RFC 1071) of {@code length} bytes from {@code offset}, plus {@code initial}. */
	private static short checksum(byte[] bytes, int offset, int length, long initial) {
		long sum = initial;
		for (int i = offset; i < offset + length; i += 2) {
			sum += ((bytes[i] & 0xFF) << 8) | (i + 1 < offset + length ? bytes[i + 1] & 0xFF : 0);
		}
		while (sum >> 16 != 0) {
			sum = (sum & 0xFFFF) + (sum >> 16);
		}
		return (short) ~sum;
	}
}
