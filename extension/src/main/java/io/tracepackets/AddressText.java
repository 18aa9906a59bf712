package io.tracepackets;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * An IP address as TracePackets writes it everywhere: in failure messages, the pwru-style
 * rendering, the command line's output, evidence files and the drops' sentences. IPv4 dotted,
 * IPv6 in RFC 5952's short form (the longest run of zero groups as {@code ::}), as tcpdump and
 * {@code ip} print them; {@link InetAddress#getHostAddress()} writes every zero group of IPv6.
 */
public final class AddressText {

	private AddressText() {
	}

	/**
	 * The address's text.
	 *
	 * @param address an address; null when the packet has none
	 * @return e.g. {@code "172.17.0.2"}, {@code "fd00::1"}; {@code "?"} for null
	 */
	public static String of(InetAddress address) {
		if (address == null) {
			return "?";
		}
		if (!(address instanceof Inet6Address)) {
			return address.getHostAddress();
		}
		byte[] bytes = address.getAddress();
		int[] groups = new int[8];
		for (int i = 0; i < 8; i++) {
			groups[i] = (bytes[2 * i] & 0xff) << 8 | bytes[2 * i + 1] & 0xff;
		}
		int bestStart = -1;
		int bestLength = 1;
		for (int i = 0; i < 8;) {
			int j = i;
			while (j < 8 && groups[j] == 0) {
				j++;
			}
			if (j - i > bestLength) {
				bestStart = i;
				bestLength = j - i;
			}
			i = j == i ? i + 1 : j;
		}
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < 8; i++) {
			if (i == bestStart) {
				text.append("::");
				i += bestLength - 1;
				continue;
			}
			if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
				text.append(':');
			}
			text.append(Integer.toHexString(groups[i]));
		}
		return text.toString();
	}
}
