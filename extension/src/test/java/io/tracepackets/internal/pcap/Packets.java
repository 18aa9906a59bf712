package io.tracepackets.internal.pcap;

import java.io.ByteArrayOutputStream;

/** Packets built byte by byte for the filter tests: Ethernet frames, and their IP part alone. */
final class Packets {

	static final int SYN = 0x02;
	static final int ACK = 0x10;
	static final int PSH = 0x08;

	private Packets() {
	}

	static byte[] ethernet(int etherType, byte[] payload) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(new byte[] { 0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1 });
		out.write(etherType >> 8);
		out.write(etherType);
		out.writeBytes(payload);
		return out.toByteArray();
	}

	/** IPv4 (with {@code optionWords} 4-byte option words) carrying {@code transport}. */
	static byte[] ipv4(int protocol, byte[] source, byte[] destination, byte[] transport, int optionWords, int fragment) {
		int headerLength = 20 + 4 * optionWords;
		byte[] packet = new byte[headerLength + transport.length];
		packet[0] = (byte) (0x40 | (5 + optionWords));
		int total = packet.length;
		packet[2] = (byte) (total >> 8);
		packet[3] = (byte) total;
		packet[6] = (byte) (fragment >> 8);
		packet[7] = (byte) fragment;
		packet[8] = 64;
		packet[9] = (byte) protocol;
		System.arraycopy(source, 0, packet, 12, 4);
		System.arraycopy(destination, 0, packet, 16, 4);
		for (int i = 20; i < headerLength; i++) {
			packet[i] = 1; // NOP options
		}
		System.arraycopy(transport, 0, packet, headerLength, transport.length);
		return packet;
	}

	static byte[] ipv6(int nextHeader, byte[] transport) {
		byte[] packet = new byte[40 + transport.length];
		packet[0] = 0x60;
		packet[4] = (byte) (transport.length >> 8);
		packet[5] = (byte) transport.length;
		packet[6] = (byte) nextHeader;
		packet[7] = 64;
		packet[8] = (byte) 0xfd;
		packet[23] = 1;
		packet[24] = (byte) 0xfd;
		packet[39] = 2;
		System.arraycopy(transport, 0, packet, 40, transport.length);
		return packet;
	}

	static byte[] tcp(int sourcePort, int destinationPort, int flags, int payloadBytes) {
		byte[] segment = new byte[20 + payloadBytes];
		segment[0] = (byte) (sourcePort >> 8);
		segment[1] = (byte) sourcePort;
		segment[2] = (byte) (destinationPort >> 8);
		segment[3] = (byte) destinationPort;
		segment[12] = 0x50;
		segment[13] = (byte) flags;
		for (int i = 0; i < payloadBytes; i++) {
			segment[20 + i] = (byte) "GET / HTTP/1.1\r\n".charAt(i % 16);
		}
		return segment;
	}

	static byte[] udp(int sourcePort, int destinationPort, int payloadBytes) {
		byte[] datagram = new byte[8 + payloadBytes];
		datagram[0] = (byte) (sourcePort >> 8);
		datagram[1] = (byte) sourcePort;
		datagram[2] = (byte) (destinationPort >> 8);
		datagram[3] = (byte) destinationPort;
		datagram[5] = (byte) datagram.length;
		return datagram;
	}

	/** An ARP request (operation 1) or reply (2) for IPv4 over Ethernet. */
	static byte[] arp(int operation) {
		byte[] arp = new byte[28];
		arp[1] = 1;
		arp[2] = 0x08;
		arp[4] = 6;
		arp[5] = 4;
		arp[7] = (byte) operation;
		arp[14] = 10;
		arp[17] = 1;
		arp[24] = 10;
		arp[27] = 2;
		return arp;
	}

	static byte[] address(int a, int b, int c, int d) {
		return new byte[] { (byte) a, (byte) b, (byte) c, (byte) d };
	}
}
