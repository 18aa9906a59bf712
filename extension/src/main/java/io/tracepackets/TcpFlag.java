package io.tracepackets;

/** TCP header flags, as {@link PacketFilter#tcpFlags(TcpFlag...)} matches them. */
public enum TcpFlag {
	/** No more data from the sender: one direction of the connection closes. */
	FIN(0x01),
	/** Synchronize sequence numbers: opens a connection (with ACK: accepts one). */
	SYN(0x02),
	/** Reset: aborts the connection, or refuses one nobody listens for. */
	RST(0x04),
	/** Push: hand the data to the application now; Linux sets it on the segment that ends a write. */
	PSH(0x08),
	/** The acknowledgement number is valid: every segment but the first SYN. */
	ACK(0x10),
	/** The urgent pointer is valid; rare. */
	URG(0x20),
	/** ECN echo: the peer saw congestion, or on a SYN offers ECN. */
	ECE(0x40),
	/** Congestion window reduced: the sender answered an ECE. */
	CWR(0x80);

	private final int bit;

	TcpFlag(int bit) {
		this.bit = bit;
	}

	/**
	 * The flag's bit in TCP header byte 13, as {@link PacketEvent#tcpFlags()} holds it.
	 *
	 * @return a one-bit mask, e.g. {@code 0x02} for SYN: {@code (event.tcpFlags() & SYN.bit()) != 0}
	 */
	public int bit() {
		return bit;
	}
}
