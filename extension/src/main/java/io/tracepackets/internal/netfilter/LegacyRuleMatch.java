package io.tracepackets.internal.netfilter;

import io.tracepackets.PacketEvent;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Whether an iptables-save rule could have matched a packet, judged on the matches that name the
 * packet's tuple ({@code -p}, {@code -s}, {@code -d}, {@code --sport}, {@code --dport}, with
 * {@code !}): enough to tell apart two legacy DROP rules whose counters both grew. Any other match
 * is taken as possibly true, so a rule is ruled out only when the tuple contradicts it.
 */
final class LegacyRuleMatch {

	private LegacyRuleMatch() {
	}

	static boolean couldMatch(String rule, PacketEvent packet) {
		List<String> words = List.of(rule.strip().split("\\s+"));
		boolean negate = false;
		for (int i = 0; i < words.size(); i++) {
			String word = words.get(i);
			if (word.equals("!")) {
				negate = true;
				continue;
			}
			String value = i + 1 < words.size() ? words.get(i + 1) : null;
			Boolean matches = value == null ? null : switch (word) {
				case "-p", "--protocol" -> protocolMatches(value, packet);
				case "-s", "--source" -> addressMatches(value, packet.source());
				case "-d", "--destination" -> addressMatches(value, packet.destination());
				case "--sport", "--source-port" -> portMatches(value, packet.sourcePort(), packet);
				case "--dport", "--destination-port" -> portMatches(value, packet.destinationPort(), packet);
				default -> null;
			};
			if (matches != null && matches == negate) {
				return false;
			}
			negate = false;
		}
		return true;
	}

	private static Boolean protocolMatches(String value, PacketEvent packet) {
		if (packet.ipVersion() == 0) {
			return null;
		}
		String name = value.toLowerCase(Locale.ROOT);
		return switch (name) {
			case "all", "0" -> true;
			case "tcp", "6" -> packet.l4Protocol() == PacketEvent.TCP;
			case "udp", "17" -> packet.l4Protocol() == PacketEvent.UDP;
			case "icmp", "1" -> packet.l4Protocol() == PacketEvent.ICMP;
			case "ipv6-icmp", "icmpv6", "58" -> packet.l4Protocol() == PacketEvent.ICMPV6;
			default -> null;
		};
	}

	private static Boolean portMatches(String value, int port, PacketEvent packet) {
		if (packet.l4Protocol() != PacketEvent.TCP && packet.l4Protocol() != PacketEvent.UDP) {
			return null;
		}
		try {
			int colon = value.indexOf(':');
			if (colon < 0) {
				return port == Integer.parseInt(value);
			}
			int low = colon == 0 ? 0 : Integer.parseInt(value.substring(0, colon));
			int high = colon == value.length() - 1 ? 65535 : Integer.parseInt(value.substring(colon + 1));
			return port >= low && port <= high;
		} catch (NumberFormatException e) {
			return null; // a service name
		}
	}

	private static Boolean addressMatches(String value, InetAddress address) {
		if (address == null) {
			return null;
		}
		int slash = value.indexOf('/');
		try {
			byte[] network = InetAddress.getByName(slash < 0 ? value : value.substring(0, slash)).getAddress();
			byte[] packet = address.getAddress();
			if (network.length != packet.length || slash >= 0 && value.substring(slash + 1).contains(".")) {
				return null; // another family, or a dotted mask
			}
			int bits = slash < 0 ? network.length * 8 : Integer.parseInt(value.substring(slash + 1));
			for (int bit = 0; bit < bits; bit++) {
				int mask = 0x80 >> (bit % 8);
				if ((network[bit / 8] & mask) != (packet[bit / 8] & mask)) {
					return false;
				}
			}
			return true;
		} catch (UnknownHostException | NumberFormatException e) {
			return null;
		}
	}
}
