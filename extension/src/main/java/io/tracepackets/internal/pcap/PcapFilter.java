package io.tracepackets.internal.pcap;

import io.tracepackets.TracePacketsException;
import java.util.List;

/**
 * A pcap-filter(7) expression compiled by libpcap for the two views of an skb the probes take, as
 * pwru does: {@link #ethernet()} from the MAC header (DLT_EN10MB) and {@link #rawIp()} from the
 * network header (DLT_RAW). An expression that has no meaning without a link layer (e.g.
 * {@code arp}, {@code ether host …}) compiles for Ethernet only; its raw-IP program matches
 * nothing (libpcap's message is kept in {@link #rawIpNote()}).
 */
public record PcapFilter(String expression, List<CbpfInstruction> ethernet, List<CbpfInstruction> rawIp,
		String rawIpNote) {

	/** {@code ret #0}: matches nothing. */
	private static final List<CbpfInstruction> MATCH_NOTHING = List
			.of(new CbpfInstruction(CbpfInstruction.RET | CbpfInstruction.K, 0, 0, 0));

	public PcapFilter {
		ethernet = List.copyOf(ethernet);
		rawIp = List.copyOf(rawIp);
	}

	/**
	 * Compiles {@code expression} with libpcap.
	 *
	 * @throws TracePacketsException naming the expression and carrying libpcap's message when it
	 *     does not compile
	 */
	public static PcapFilter compile(String expression) {
		if (expression == null || expression.isBlank()) {
			throw new TracePacketsException("pcap filter expression is empty: give one in pcap-filter(7) syntax,"
					+ " e.g. \"tcp port 8080\", or none to trace every packet");
		}
		List<CbpfInstruction> ethernet;
		try {
			ethernet = LibPcap.compile(expression, LibPcap.DLT_EN10MB);
		} catch (LibPcap.PcapCompileException e) {
			throw new TracePacketsException("pcap filter \"" + expression + "\" does not compile: " + e.getMessage()
					+ ". Fix the expression (syntax: man 7 pcap-filter; test it with tcpdump -d '<expression>')", e);
		}
		List<CbpfInstruction> rawIp;
		String note = null;
		try {
			rawIp = LibPcap.compile(expression, LibPcap.DLT_RAW);
		} catch (LibPcap.PcapCompileException e) {
			rawIp = MATCH_NOTHING;
			note = e.getMessage();
		}
		return new PcapFilter(expression, ethernet, rawIp, note);
	}

	/** Whether {@code packet} (bytes from its Ethernet header, or from its IP header) matches. */
	public boolean matches(byte[] packet, int wireLength, boolean fromEthernet) {
		return CbpfInterpreter.run(fromEthernet ? ethernet : rawIp, packet, wireLength) != 0;
	}
}
