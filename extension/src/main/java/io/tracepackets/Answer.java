package io.tracepackets;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
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
 * segment's tuple reversed, which is exact. An ICMP error quotes the refused packet's headers:
 * where the trace captures packet bytes ({@link TracePackets#snapLength()}, 128 covers IPv6) it
 * is tied by them, exactly too ({@link #namesItsPacket()}). The probes' events do not carry the
 * quoted tuple themselves; so without bytes an ICMP error is tied to a packet not yet answered
 * that came from the address it is sent to (its destination is the refused packet's source), in
 * the same IP version, first seen at most {@link #ICMP_WINDOW} before it: the one the kernel was
 * handling when it sent the error, else the one seen last before it ({@link #findAll}). Two
 * packets refused from one sender at the same moment may then be told apart wrongly: both are
 * answered, but each may be shown with the other's answer.
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
		return header(path).isPresent();
	}

	private static boolean isAnswerHeader(PacketEvent e) {
		return switch (e.l4Protocol()) {
			case PacketEvent.TCP -> (e.tcpFlags() & RST) != 0;
			case PacketEvent.ICMP -> e.ipVersion() == 4 && (e.icmpType() == 3 || e.icmpType() == 11 || e.icmpType() == 12);
			case PacketEvent.ICMPV6 -> e.ipVersion() == 6 && e.icmpType() >= 1 && e.icmpType() <= 4;
			default -> false;
		};
	}

	/**
	 * The path's first event that shows it as an answer: the tuple the answer was sent with. Not
	 * merely its first event with an IP header: a function probe can see the skb while the stack
	 * is still writing its headers (a RST's flags not yet set).
	 */
	private static Optional<PacketEvent> header(PacketPath path) {
		return path.events().stream().filter(e -> e.ipVersion() != 0 && isAnswerHeader(e)).findFirst();
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
		String text = AddressText.of(address);
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

	/**
	 * The answers to {@code refused} among {@code paths}, one answer to one packet at most. Every
	 * packet of {@code paths} may be the one an answer is for, not only those asked about, so an
	 * answer to another packet is never taken for theirs. Of the packets an answer fits
	 * ({@link #answers(PacketPath)}) it goes to the one the kernel was handling when the answer
	 * was sent (first seen before it, freed after it: the stack sends a RST or an ICMP error while
	 * it handles the packet, before it frees it), else to the one seen last before it. Paths of one
	 * journey, and the paths of one skb with no free between them, count as one packet: an answer
	 * to one of them answers all.
	 *
	 * @param refused the packets asked about, e.g. those matching a filter
	 * @param paths where to look for answers and the other packets they may be for, e.g.
	 *     {@link PacketTrace#paths()}
	 * @return one entry per packet of {@code refused}, in its order: its answer, or empty when none
	 *     was traced
	 */
	public static List<Optional<Answer>> findAll(List<PacketPath> refused, List<PacketPath> paths) {
		// One packet, one question: the paths of one journey (the function backends follow clones),
		// and the paths one skb goes on in without a free between (a forwarded segment that TCP still
		// holds a clone of is copied before its TTL is decremented, which gives it a new journey id).
		Map<Object, List<PacketPath>> questions = new LinkedHashMap<>();
		Map<PacketPath, Object> keyOf = new IdentityHashMap<>();
		Map<Long, Object> byJourney = new HashMap<>();
		Map<Long, PacketPath> unfreedSkb = new HashMap<>();
		List<PacketPath> candidates = new ArrayList<>();
		Set<Object> answerPackets = new HashSet<>();
		for (List<PacketPath> list : List.of(paths, refused)) {
			for (PacketPath path : list) {
				if (keyOf.containsKey(path)) {
					continue;
				}
				PacketPath before = unfreedSkb.get(path.skb());
				Object key = before != null && goesOnAs(before, path) ? keyOf.get(before) : null;
				if (key == null && path.journey() != 0) {
					key = byJourney.get(path.journey());
				}
				if (key == null) {
					key = new Object();
				}
				if (path.journey() != 0) {
					byJourney.putIfAbsent(path.journey(), key);
				}
				if (path.last().isDrop() || path.last().isConsumed()) {
					unfreedSkb.remove(path.skb());
				} else {
					unfreedSkb.put(path.skb(), path);
				}
				keyOf.put(path, key);
				if (isAnswer(path)) {
					// an answer is never answered: no RST for a RST, no ICMP error for an ICMP error
					if (list == paths && answerPackets.add(key)) {
						candidates.add(path);
					}
					continue;
				}
				questions.computeIfAbsent(key, k -> new ArrayList<>()).add(path);
			}
		}
		candidates.sort(Comparator.comparingLong(path -> path.first().timestampNanos()));
		Map<Object, Answer> answered = new LinkedHashMap<>();
		for (PacketPath candidate : candidates) {
			Answer answer = new Answer(candidate);
			long sent = candidate.first().timestampNanos();
			questions.entrySet().stream()
					.filter(question -> !answered.containsKey(question.getKey()))
					.filter(question -> question.getValue().stream().anyMatch(answer::answers))
					.max(Comparator.<Map.Entry<Object, List<PacketPath>>, Boolean>comparing(
							question -> handledWhen(question.getValue(), sent))
							.thenComparingLong(question -> lastSeenBefore(question.getValue(), sent)))
					.ifPresent(question -> answered.put(question.getKey(), answer));
		}
		List<Optional<Answer>> result = new ArrayList<>(refused.size());
		for (PacketPath path : refused) {
			Object key = keyOf.get(path);
			result.add(key == null ? Optional.empty() : Optional.ofNullable(answered.get(key)));
		}
		return List.copyOf(result);
	}

	/**
	 * Whether {@code later}, at the address of {@code earlier} with no free seen between them, is
	 * the same packet going on: it starts with the tuple {@code earlier} ended with (or had before
	 * NAT). The address alone does not tell: TCP frees the segments it kept for retransmission where
	 * no probe sees it (a RST purges them), and the next segment may get that address.
	 */
	private static boolean goesOnAs(PacketPath earlier, PacketPath later) {
		Optional<PacketEvent> last = earlier.events().reversed().stream().filter(e -> e.ipVersion() != 0).findFirst();
		Optional<PacketEvent> first = later.events().stream().filter(e -> e.ipVersion() != 0).findFirst();
		if (last.isEmpty() || first.isEmpty()) {
			return true;
		}
		PacketEvent next = first.get();
		return sameFlow(last.get(), next) || next.beforeTranslation().filter(b -> sameFlow(last.get(), b)).isPresent();
	}

	/** Same addresses, protocol and ports; the ports of a header not written yet (both 0) match any. */
	private static boolean sameFlow(PacketEvent a, PacketEvent b) {
		boolean portsUnwritten = a.sourcePort() == 0 && a.destinationPort() == 0
				|| b.sourcePort() == 0 && b.destinationPort() == 0;
		return a.ipVersion() == b.ipVersion() && a.l4Protocol() == b.l4Protocol()
				&& Objects.equals(a.source(), b.source()) && Objects.equals(a.destination(), b.destination())
				&& (portsUnwritten || a.sourcePort() == b.sourcePort() && a.destinationPort() == b.destinationPort());
	}

	/** Whether one of the paths was alive at {@code nanos}: seen before it, and again (its free) after it. */
	private static boolean handledWhen(List<PacketPath> paths, long nanos) {
		return paths.stream().anyMatch(path -> path.first().timestampNanos() <= nanos
				&& path.last().timestampNanos() >= nanos);
	}

	/** The latest event of the paths at or before {@code nanos}. */
	private static long lastSeenBefore(List<PacketPath> paths, long nanos) {
		return paths.stream().flatMap(path -> path.events().stream()).mapToLong(PacketEvent::timestampNanos)
				.filter(time -> time <= nanos).max().orElse(Long.MIN_VALUE);
	}

	/**
	 * Whether this answer can be the one to {@code asked}: sent after it was first seen, to its
	 * source; a RST with its tuple reversed, an ICMP error that quotes it where its bytes were
	 * captured, else any ICMP error within {@link #ICMP_WINDOW}. Every
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
		Optional<Quoted> quoted = quoted();
		if (isIcmp() && quoted.isEmpty() && sent - seen > ICMP_WINDOW.toNanos()) {
			return false;
		}
		for (PacketEvent answerEvent : path.events()) {
			if (answerEvent.ipVersion() == 0) {
				continue;
			}
			for (PacketEvent askedEvent : asked.events()) {
				if (askedEvent.ipVersion() == answerEvent.ipVersion() && fits(answerEvent, askedEvent, quoted)) {
					return true;
				}
			}
		}
		return false;
	}

	private boolean fits(PacketEvent answer, PacketEvent asked, Optional<Quoted> quoted) {
		if (!Objects.equals(answer.destination(), asked.source())) {
			return false;
		}
		if (isIcmp()) {
			return quoted.map(tuple -> tuple.is(asked)).orElse(true);
		}
		return asked.l4Protocol() == PacketEvent.TCP && Objects.equals(answer.source(), asked.destination())
				&& answer.sourcePort() == asked.destinationPort() && answer.destinationPort() == asked.sourcePort();
	}

	/**
	 * Whether this answer names the packet it answers by itself: a RST by its reversed tuple, an
	 * ICMP error by the headers it quotes, when the trace captured enough of its bytes
	 * ({@link TracePackets#snapLength()}: 128 covers IPv6). Otherwise an ICMP error is tied to
	 * its packet by sender and time (see the class comment).
	 *
	 * @return true for a RST, and for an ICMP error whose quoted headers were captured
	 */
	public boolean namesItsPacket() {
		return isReset() || quoted().isPresent();
	}

	/** The refused packet's tuple as an ICMP error quotes it. */
	private record Quoted(InetAddress source, InetAddress destination, int protocol, int sourcePort,
			int destinationPort) {

		boolean is(PacketEvent asked) {
			boolean ports = protocol == PacketEvent.TCP || protocol == PacketEvent.UDP;
			return source.equals(asked.source()) && destination.equals(asked.destination())
					&& protocol == asked.l4Protocol()
					&& (!ports || sourcePort == asked.sourcePort() && destinationPort == asked.destinationPort());
		}
	}

	/** The quoted tuple, from the first event of the answer whose captured bytes hold it. */
	private Optional<Quoted> quoted() {
		if (isReset()) {
			return Optional.empty();
		}
		for (PacketEvent e : path.events()) {
			Optional<Quoted> quoted = e.packetBytes().flatMap(Answer::quotedIn);
			if (quoted.isPresent()) {
				return quoted;
			}
		}
		return Optional.empty();
	}

	/**
	 * The headers an ICMP error quotes after its own 8 bytes: the refused packet's IP header (no
	 * IPv6 extension headers) and its first 8 transport bytes, which hold TCP's and UDP's ports.
	 */
	private static Optional<Quoted> quotedIn(PacketBytes bytes) {
		int ip = 0;
		if (bytes.layer() == PacketBytes.Layer.ETHERNET) {
			if (bytes.capturedLength() < 14) {
				return Optional.empty();
			}
			int etherType = bytes.byteAt(12) << 8 | bytes.byteAt(13);
			if (etherType != 0x0800 && etherType != 0x86dd) {
				return Optional.empty();
			}
			ip = 14;
		}
		if (bytes.capturedLength() <= ip) {
			return Optional.empty();
		}
		int version = bytes.byteAt(ip) >> 4;
		if (version == 4 && has(bytes, ip + 20) && bytes.byteAt(ip + 9) == PacketEvent.ICMP) {
			int quoted = ip + (bytes.byteAt(ip) & 0x0f) * 4 + 8;
			if (!has(bytes, quoted + 20) || bytes.byteAt(quoted) >> 4 != 4) {
				return Optional.empty();
			}
			int transport = quoted + (bytes.byteAt(quoted) & 0x0f) * 4;
			return Optional.of(quotedTuple(bytes, quoted + 12, quoted + 16, 4, bytes.byteAt(quoted + 9), transport));
		}
		if (version == 6 && has(bytes, ip + 40) && bytes.byteAt(ip + 6) == PacketEvent.ICMPV6) {
			int quoted = ip + 40 + 8;
			if (!has(bytes, quoted + 40) || bytes.byteAt(quoted) >> 4 != 6) {
				return Optional.empty();
			}
			return Optional.of(quotedTuple(bytes, quoted + 8, quoted + 24, 16, bytes.byteAt(quoted + 6), quoted + 40));
		}
		return Optional.empty();
	}

	private static Quoted quotedTuple(PacketBytes bytes, int source, int destination, int length, int protocol,
			int transport) {
		boolean ports = (protocol == PacketEvent.TCP || protocol == PacketEvent.UDP) && has(bytes, transport + 4);
		return new Quoted(addressAt(bytes, source, length), addressAt(bytes, destination, length), protocol,
				ports ? bytes.byteAt(transport) << 8 | bytes.byteAt(transport + 1) : 0,
				ports ? bytes.byteAt(transport + 2) << 8 | bytes.byteAt(transport + 3) : 0);
	}

	private static boolean has(PacketBytes bytes, int end) {
		return bytes.capturedLength() >= end;
	}

	private static InetAddress addressAt(PacketBytes bytes, int offset, int length) {
		byte[] address = new byte[length];
		for (int i = 0; i < length; i++) {
			address[i] = (byte) bytes.byteAt(offset + i);
		}
		try {
			return InetAddress.getByAddress(address);
		} catch (UnknownHostException impossible) {
			throw new IllegalStateException(impossible); // 4 or 16 bytes are always an address
		}
	}
}
