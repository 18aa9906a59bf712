package io.tracepackets;

/** TCP header flags, as {@link PacketFilter#tcpFlags(TcpFlag...)} matches them. */
public enum TcpFlag {
	FIN(0x01), SYN(0x02), RST(0x04), PSH(0x08), ACK(0x10), URG(0x20), ECE(0x40), CWR(0x80);

	private final int bit;

	TcpFlag(int bit) {
		this.bit = bit;
	}

	/** The flag's bit in TCP header byte 13, as {@link PacketEvent#tcpFlags()} holds it. */
	public int bit() {
		return bit;
	}
}
