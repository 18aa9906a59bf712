package io.tracepackets;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What came back for a refused packet: the TCP RST or the ICMP error that its refusal sent to its
 * sender, whether a REJECT rule sent it ({@code -j REJECT}, {@code --reject-with tcp-reset}) or the
 * kernel itself (a closed TCP port answers a SYN with a RST, a closed UDP port with ICMP port
 * unreachable). An answer is a packet of its own, traced when its path is in scope: sent by a
 * traced namespace's stack, or received by one.
 *
 * <p>How an answer is tied to the packet it answers ({@link #findAll}): a RST carries the refused
 * segment's tuple reversed, which is exact. An ICMP error quotes the refused packet's headers, but
 * the probes' events do not carry the quoted tuple; so an ICMP error is tied to the earliest
 * packet not yet answered that went from the address it is sent to (its destination is the refused
 * packet's source), in the same IP version, and was first seen at most {@link #ICMP_WINDOW}
 * before it. Two packets refused from one sender at once are told apart by order only.
 *
 * @param path the answer's path: its skb's events, from where the trace first saw it
 */
public record Answer(PacketPath path) {

	/**
	 * How long after a refused packet was first seen an ICMP error may come and still be its
	 * answer: the kernel sends it while it handles the packet (microseconds), so a second leaves
	 * room for a busy machine and none for the next retry of a refused connection.
	 */
	public static final Duration ICMP_WINDOW = Duration.ofSeconds(1);

	/** TCP header flag RST. */
	private static final int RST = 0x04;

	/** Checks there is a path, and that it is an answer ({@link #isAnswer(PacketPath)}). */
	public Answer {
		Objects.requireNonNull(path, "path");
		if (!isAnswer(path)) {
			throw new IllegalArgumentException("not a TCP RST nor an ICMP error: " + path.first());
		}
	}

	/**
	 * Whether a path can be an answer: a TCP segment with RST set, or an ICMP error (IPv4 types 3
	 * destination unreachable, 11 time exceeded, 12 parameter problem; ICMPv6 types 1 to 4).
	 *
	 * @param path any path
	 * @return true for a RST or an ICMP error
	 */
	public static boolean isAnswer(PacketPath path) {
		return header(path).filter(Answer::isAnswerHeader).isPresent();
	}

	private static boolean isAnswerHeader(PacketEvent e) {
		return switch (e.l4Protocol()) {
			case PacketEvent.TCP -> (e.tcpFlags() & RST) != 0;
			case PacketEvent.ICMP -> e.ipVersion() == 4 && (e.icmpType() == 3 || e.icmpType() == 11 || e.icmpType() == 12);
			case PacketEvent.ICMPV6 -> e.ipVersion() == 6 && e.icmpType() >= 1 && e.icmpType() <= 4;
			default -> false;
		};
	}

	/** The path's first event with an IP header: the tuple the answer was sent with. */
	private static Optional<PacketEvent> header(PacketPath path) {
		return path.events().stream().filter(e -> e.ipVersion() != 0).findFirst();
	}

	/**
	 * The answer's IP header and first transport bytes, as its first event with an IP header saw them.
	 *
	 * @return the event; its {@link PacketEvent#source()} is who answered
	 */
	public PacketEvent event() {
		return header(path).orElseThrow();
	}

	/**
	 * A TCP RST.
	 *
	 * @return true when the answer is a TCP segment with RST set
	 */
	public boolean isReset() {
		return event().l4Protocol() == PacketEvent.TCP;
	}

	/**
	 * An ICMP error, IPv4 or IPv6.
	 *
	 * @return true when the answer is ICMP (IPv4) or ICMPv6
	 */
	public boolean isIcmp() {
		return !isReset();
	}

	/**
	 * The ICMP error's type.
	 *
	 * @return e.g. 3 (destination unreachable) for IPv4, 1 for ICMPv6; -1 for a RST
	 */
	public int icmpType() {
		return isReset() ? -1 : event().icmpType();
	}

	/**
	 * The ICMP error's code.
	 *
	 * @return e.g. 3 (port unreachable) for IPv4 type 3, 4 for ICMPv6 type 1; -1 for a RST
	 */
	public int icmpCode() {
		return isReset() ? -1 : event().icmpCode();
	}

	/**
	 * Whether the answer is this ICMP error.
	 *
	 * @param ipVersion 4 for ICMP, 6 for ICMPv6
	 * @param type the ICMP type
	 * @param code the ICMP code
	 * @return true for an ICMP error of that version, type and code
	 */
	public boolean isIcmp(int ipVersion, int type, int code) {
		return isIcmp() && event().ipVersion() == ipVersion && icmpType() == type && icmpCode() == code;
	}

	/**
	 * The answer in words, as failure messages show it.
	 *
	 * @return e.g. {@code "TCP RST 10.231.1.2:81 > 10.231.1.1:41000"} or {@code "ICMP port
	 *     unreachable (type 3 code 3) 10.231.1.2 > 10.231.1.1"}
	 */
	public String describe() {
		PacketEvent e = event();
		return (isReset() ? "TCP RST " : icmpName(e.ipVersion(), e.icmpType(), e.icmpCode()) + " ") + tuple(e);
	}

	/**
	 * A packet's addresses, and ports for TCP and UDP, as failure messages show them: IPv6
	 * addresses in their short form, in brackets before a port.
	 *
	 * @param e an event with an IP header
	 * @return e.g. {@code "10.231.1.2:81 > 10.231.1.1:41000"}, {@code "[fd00::2]:53 > [fd00::1]:41000"}
	 *     or {@code "10.231.1.2 > 10.231.1.1"} for ICMP; {@code "?"} for an address that is unknown
	 */
	public static String tuple(PacketEvent e) {
		boolean ports = e.l4Protocol() == PacketEvent.TCP || e.l4Protocol() == PacketEvent.UDP;
		return endpoint(e.source(), ports ? e.sourcePort() : -1) + " > "
				+ endpoint(e.destination(), ports ? e.destinationPort() : -1);
	}

	private static String endpoint(InetAddress address, int port) {
		String text = address(address);
		if (port < 0) {
			return text;
		}
		return (address instanceof Inet6Address ? "[" + text + "]" : text) + ":" + port;
	}

	/**
	 * An ICMP error's name, as failure messages show it.
	 *
	 * @param ipVersion 4 for ICMP, 6 for ICMPv6
	 * @param type the ICMP type
	 * @param code the ICMP code
	 * @return e.g. {@code "ICMP port unreachable (type 3 code 3)"}, {@code "ICMPv6 port unreachable
	 *     (type 1 code 4)"}, or {@code "ICMP type 5 code 1"} for one without a name here
	 */
	public static String icmpName(int ipVersion, int type, int code) {
		String name = ipVersion == 6 ? icmpv6Name(type, code) : icmpv4Name(type, code);
		String numbers = "type " + type + " code " + code;
		return (ipVersion == 6 ? "ICMPv6 " : "ICMP ") + (name == null ? numbers : name + " (" + numbers + ")");
	}

	private static String icmpv4Name(int type, int code) {
		return switch (type) {
			case 3 -> switch (code) {
				case 0 -> "net unreachable";
				case 1 -> "host unreachable";
				case 2 -> "protocol unreachable";
				case 3 -> "port unreachable";
				case 4 -> "fragmentation needed";
				case 9 -> "net prohibited";
				case 10 -> "host prohibited";
				case 13 -> "administratively prohibited";
				default -> "destination unreachable";
			};
			case 11 -> "time exceeded";
			case 12 -> "parameter problem";
			default -> null;
		};
	}

	private static String icmpv6Name(int type, int code) {
		return switch (type) {
			case 1 -> switch (code) {
				case 0 -> "no route";
				case 1 -> "administratively prohibited";
				case 3 -> "address unreachable";
				case 4 -> "port unreachable";
				case 5 -> "failed policy";
				case 6 -> "reject route";
				default -> "destination unreachable";
			};
			case 2 -> "packet too big";
			case 3 -> "time exceeded";
			case 4 -> "parameter problem";
			default -> null;
		};
	}

	/** RFC 5952's short form for IPv6 (the longest run of zero groups as {@code ::}), as pwru prints it. */
	private static String address(InetAddress address) {
		if (!(address instanceof Inet6Address)) {
			return address == null ? "?" : address.getHostAddress();
		}
		byte[] bytes = address.getAddress();
		int[] groups = new int[8];
		for (int i = 0; i < 8; i++) {
			groups[i] = (bytes[2 * i] & 0xff) << 8 | bytes[2 * i + 1] & 0xff;
		}
		int bestStart = -1;
		int bestLength = 1;
		for (int i = 0; i < 8; i++) {
			int j = i;
			while (j < 8 && groups[j] == 0) {
				j++;
			}
			if (j - i > bestLength) {
				bestStart = i;
				bestLength = j - i;
			}
		}
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < 8; i++) {
			if (i == bestStart) {
				text.append("::");
				i += bestLength - 1;
				continue;
			}
			if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
				text.append(':');
			}
			text.append(Integer.toHexString(groups[i]));
		}
		return text.toString();
	}

	/**
	 * The answers to {@code refused} among {@code paths}, one answer to one packet at most: a RST
	 * to the segment whose tuple it reverses, an ICMP error to the earliest packet still without
	 * an answer from the address it is sent to (see the class comment). Paths of one journey count
	 * as one packet: an answer to one of them answers all.
	 *
	 * @param refused the packets asked about, e.g. those matching a filter
	 * @param paths where to look for answers, e.g. {@link PacketTrace#paths()}
	 * @return one entry per packet of {@code refused}, in its order: its answer, or empty when none
	 *     was traced
	 */
	public static List<Optional<Answer>> findAll(List<PacketPath> refused, List<PacketPath> paths) {
		// A packet is its journey: clones of one packet (the function backends' skb_clone) are one question.
		Map<Object, List<PacketPath>> questions = new LinkedHashMap<>();
		Map<PacketPath, Object> keyOf = new IdentityHashMap<>();
		for (PacketPath path : refused) {
			Object key = path.journey() == 0 ? new Object() : path.journey();
			if (isAnswer(path)) {
				continue; // an answer is never answered: no RST for a RST, no ICMP error for an ICMP error
			}
			questions.computeIfAbsent(key, k -> new ArrayList<>()).add(path);
			keyOf.put(path, key);
		}
		List<PacketPath> candidates = new ArrayList<>();
		Set<Long> journeysSeen = new HashSet<>();
		for (PacketPath path : paths) {
			if (isAnswer(path) && (path.journey() == 0 || journeysSeen.add(path.journey()))) {
				candidates.add(path);
			}
		}
		candidates.sort(Comparator.comparingLong(path -> path.first().timestampNanos()));
		Map<Object, Answer> answered = new LinkedHashMap<>();
		for (PacketPath candidate : candidates) {
			Answer answer = new Answer(candidate);
			questions.entrySet().stream()
					.filter(question -> !answered.containsKey(question.getKey()))
					.filter(question -> question.getValue().stream().anyMatch(asked -> answer.answers(asked)))
					.min(Comparator.comparingLong(question -> firstSeen(question.getValue())))
					.ifPresent(question -> answered.put(question.getKey(), answer));
		}
		List<Optional<Answer>> result = new ArrayList<>(refused.size());
		for (PacketPath path : refused) {
			Object key = keyOf.get(path);
			result.add(key == null ? Optional.empty() : Optional.ofNullable(answered.get(key)));
		}
		return List.copyOf(result);
	}

	private static long firstSeen(List<PacketPath> paths) {
		return paths.stream().mapToLong(path -> path.first().timestampNanos()).min().orElse(Long.MAX_VALUE);
	}

	/**
	 * Whether this answer can be the one to {@code asked}: sent after it was first seen, to its
	 * source; a RST with its tuple reversed, an ICMP error within {@link #ICMP_WINDOW}. Every
	 * tuple the packet had on its way counts (NAT rewrites it; the answer is rewritten back).
	 *
	 * @param asked a packet that may have been refused
	 * @return true when this answer fits it
	 */
	public boolean answers(PacketPath asked) {
		long sent = path.first().timestampNanos();
		long seen = asked.first().timestampNanos();
		if (sent <= seen || isAnswer(asked)) {
			return false;
		}
		if (isIcmp() && sent - seen > ICMP_WINDOW.toNanos()) {
			return false;
		}
		for (PacketEvent answerEvent : path.events()) {
			if (answerEvent.ipVersion() == 0) {
				continue;
			}
			for (PacketEvent askedEvent : asked.events()) {
				if (askedEvent.ipVersion() == answerEvent.ipVersion() && fits(answerEvent, askedEvent)) {
					return true;
				}
			}
		}
		return false;
	}

	private boolean fits(PacketEvent answer, PacketEvent asked) {
		if (!Objects.equals(answer.destination(), asked.source())) {
			return false;
		}
		if (isIcmp()) {
			return true;
		}
		return asked.l4Protocol() == PacketEvent.TCP && Objects.equals(answer.source(), asked.destination())
				&& answer.sourcePort() == asked.destinationPort() && answer.destinationPort() == asked.sourcePort();
	}
}
