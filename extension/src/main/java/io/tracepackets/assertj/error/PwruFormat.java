package io.tracepackets.assertj.error;

import io.tracepackets.AddressText;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketPath;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracedNamespace;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Packet paths the way pwru prints them: one line per event, a packet's events together, columns
 * for time (relative to the trace start), the hop (the time since the packet's previous event),
 * skb, cpu, process, netns, interface, length, tuple and where the kernel was (for a drop, its
 * reason and location; then conntrack's state, {@code ct ESTABLISHED reply confirmed}, where the
 * skb carries one), a drop's culprit under its line, and below the packets what each drop
 * meant. The failure messages show packets this way, and so does
 * the command line, line by line; built from the data a trace exposes, nothing else.
 *
 * <p>To print what a test traced: {@code System.out.println(PwruFormat.render(trace,
 * trace.packets(udp().dstPort(9000))))}.
 */
public final class PwruFormat {

	private static final String LINE = "%-11s %-10s %-18s %-3s %-18s %-11s %-14s %-5s %-46s %s%n";
	private static final int MAX_PATHS = 50;
	/** A drop's culprit goes under its line, below the WHERE column. */
	private static final String CULPRIT_INDENT = " ".repeat(11 + 1 + 10 + 1 + 18 + 1 + 3 + 1 + 18 + 1 + 11 + 1 + 14 + 1 + 5 + 1 + 46 + 1);

	private PwruFormat() {
	}

	/**
	 * {@code paths} of {@code trace}: times relative to the trace's start
	 * ({@link PacketTrace#startNanos()}), namespaces labelled as the trace scoped them (a
	 * container's name, a netns path).
	 *
	 * @param trace the trace the paths are of
	 * @param paths the paths to show, e.g. {@code trace.packets(udp())}; at most 50 are shown
	 * @return lines indented by two spaces: a header, one line per event, then what each drop meant;
	 *     a line saying there are no packets for an empty list
	 */
	public static String render(PacketTrace trace, List<PacketPath> paths) {
		List<TracedNamespace> scoped = trace.namespaces();
		return render(paths, trace.startNanos(), inode -> scoped.stream().filter(netns -> netns.inode() == inode)
				.map(TracedNamespace::label).findFirst().orElse(Long.toString(inode)));
	}

	/**
	 * {@code paths}, with times relative to {@code startNanos} and namespaces labelled by
	 * {@code netnsLabel}.
	 *
	 * @param paths the paths to show; at most 50 are shown
	 * @param startNanos the trace's start, for relative times (CLOCK_MONOTONIC, as
	 *     {@link PacketEvent#timestampNanos()})
	 * @param netnsLabel a label for a namespace inode (e.g. the container's name); the inode's
	 *     number, or null, for none
	 * @return as {@link #render(PacketTrace, List)}
	 */
	public static String render(List<PacketPath> paths, long startNanos, LongFunction<String> netnsLabel) {
		StringBuilder out = new StringBuilder();
		if (paths.isEmpty()) {
			return "  (no packets)\n";
		}
		out.append("  ").append(header());
		List<PacketPath> shownPaths = paths.subList(0, Math.min(paths.size(), MAX_PATHS));
		Map<PacketEvent, PacketEvent> previous = previousEvents(shownPaths);
		Map<Long, String> namespaces = new LinkedHashMap<>();
		int shown = 0;
		for (PacketPath path : paths) {
			if (shown++ == MAX_PATHS) {
				out.append("  … ").append(paths.size() - MAX_PATHS).append(" more packets not shown\n");
				break;
			}
			for (PacketEvent event : path.events()) {
				out.append("  ").append(line(event, startNanos, previous.get(event)));
				if (event.culprit().isPresent()) {
					out.append("  ").append(culprit(event));
				}
				namespaces.putIfAbsent(event.netns(), netnsLabel.apply(event.netns()));
			}
			path.translations().forEach(change -> out.append("  ↳ ").append(change).append('\n'));
		}
		explainDrops(paths, out);
		namespaces.forEach((inode, label) -> {
			if (label != null && !label.equals(Long.toString(inode))) {
				out.append("  netns ").append(inode).append(" = ").append(label).append('\n');
			}
		});
		return out.toString();
	}

	/**
	 * For each event, the packet's event before it, whose time the HOP column counts from: the one
	 * above it on its path; for the first event of a path, the latest earlier event of the
	 * journey's other paths (the skb it was copied from, or the one before it in another
	 * namespace), so a journey's hops run on from skb to skb.
	 */
	private static Map<PacketEvent, PacketEvent> previousEvents(List<PacketPath> paths) {
		// by equality: a trace's lists decode their events as they are read
		Map<PacketEvent, PacketEvent> previous = new HashMap<>();
		Map<Long, List<PacketPath>> journeys = new LinkedHashMap<>();
		for (PacketPath path : paths) {
			List<PacketEvent> events = path.events();
			for (int i = 1; i < events.size(); i++) {
				previous.put(events.get(i), events.get(i - 1));
			}
			if (path.journey() != 0) {
				journeys.computeIfAbsent(path.journey(), id -> new ArrayList<>()).add(path);
			}
		}
		for (List<PacketPath> journey : journeys.values()) {
			for (PacketPath path : journey) {
				PacketEvent first = path.first();
				journey.stream().filter(other -> other != path).flatMap(other -> other.events().stream())
						.filter(event -> event.timestampNanos() <= first.timestampNanos())
						.max(Comparator.comparingLong(PacketEvent::timestampNanos))
						.ifPresent(before -> previous.put(first, before));
			}
		}
		return previous;
	}

	/** Each distinct drop shown, with what it meant and why it counts so: one line each. */
	private static void explainDrops(List<PacketPath> paths, StringBuilder out) {
		Map<String, String> seen = new LinkedHashMap<>();
		for (PacketPath path : paths.subList(0, Math.min(paths.size(), MAX_PATHS))) {
			path.drop().ifPresent(drop -> dropExplanation(drop).forEach(line -> seen.putIfAbsent(line, "")));
		}
		seen.keySet().forEach(out::append);
	}

	/**
	 * Who dropped it, as failure messages show it under the drop's line.
	 *
	 * @param drop an event
	 * @return {@code by <culprit>}, indented to the WHERE column, with its newline; empty when no
	 *     culprit was named
	 */
	public static String culprit(PacketEvent drop) {
		return drop.culprit().map(culprit -> CULPRIT_INDENT + "by " + culprit.describe() + "\n").orElse("");
	}

	/**
	 * Why a drop that a rule or program made names none, under its line where the culprit would be.
	 *
	 * @param why one sentence, the drop's {@link PacketEvent#whyNoCulprit()}
	 * @return the line, indented to the WHERE column, with its newline
	 */
	public static String noCulprit(String why) {
		return CULPRIT_INDENT + "by no rule or program found: " + why + "\n";
	}

	/**
	 * What a drop meant, as failure messages explain it below the packets.
	 *
	 * @param drop an event
	 * @return its classification sentence ({@code "  lost: NETFILTER_DROP: dropped by a netfilter
	 *     rule or policy"}), then its diagnosis, one line each with its newline; empty for an event
	 *     that is no classified drop
	 */
	public static List<String> dropExplanation(PacketEvent drop) {
		List<String> lines = new java.util.ArrayList<>(2);
		if (drop.dropKind() != null) {
			lines.add("  " + drop.dropKind().label() + ": " + drop.dropKindExplanation() + "\n");
		}
		if (drop.dropDiagnosis() != null) {
			lines.add("    " + drop.dropDiagnosis() + "\n");
		}
		return lines;
	}

	/**
	 * The column titles of {@link #line}.
	 *
	 * @return TIME, HOP, SKB, CPU, PROCESS, NETNS, IFACE, LEN, TUPLE and WHERE, with the trailing
	 *     newline
	 */
	public static String header() {
		return String.format(Locale.ROOT, LINE, "TIME", "HOP", "SKB", "CPU", "PROCESS", "NETNS", "IFACE", "LEN",
				"TUPLE", "WHERE");
	}

	/**
	 * One event as one line, without the rendering's indentation, with no hop time ({@code -}).
	 *
	 * @param event the event
	 * @param startNanos the trace's start, for the relative time
	 * @return the line, with its trailing newline
	 */
	public static String line(PacketEvent event, long startNanos) {
		return line(event, startNanos, (PacketEvent) null);
	}

	/**
	 * One event as one line, without the rendering's indentation, with the time since the
	 * packet's previous event in the HOP column.
	 *
	 * @param event the event
	 * @param startNanos the trace's start, for the relative time
	 * @param previous the packet's event before this one (on its path, or its journey's), whose
	 *     time the hop counts from; null for the packet's first event, which shows {@code -}
	 * @return the line, with its trailing newline
	 */
	public static String line(PacketEvent event, long startNanos, PacketEvent previous) {
		return line(event, startNanos, previous == null ? OptionalLong.empty() : OptionalLong.of(previous.timestampNanos()));
	}

	/**
	 * One event as one line, the HOP column counted from {@code previousNanos}: for a reader that
	 * keeps only the time of each packet's previous event (the command line, which must not keep
	 * the events it printed).
	 *
	 * @param event the event
	 * @param startNanos the trace's start, for the relative time
	 * @param previousNanos the time of the packet's event before this one; empty for the packet's
	 *     first event, which shows {@code -}
	 * @return the line, with its trailing newline
	 */
	public static String line(PacketEvent event, long startNanos, OptionalLong previousNanos) {
		return String.format(Locale.ROOT, LINE, time(event.timestampNanos() - startNanos),
				previousNanos.isEmpty() ? "-" : time(event.timestampNanos() - previousNanos.getAsLong()),
				"0x" + Long.toHexString(event.skb()), event.cpu(), "[" + event.comm() + "]", event.netns(),
				iface(event), event.length(), tuple(event), where(event));
	}

	static String time(long nanos) {
		return String.format(Locale.ROOT, "%+.3fms", nanos / 1e6);
	}

	/** A duration as the messages write it: {@code 5.000ms}, {@code 81.347ms}. */
	static String millis(long nanos) {
		return String.format(Locale.ROOT, "%.3fms", nanos / 1e6);
	}

	static String iface(PacketEvent event) {
		if (event.ifindex() == 0) {
			return "-";
		}
		return (event.interfaceName() == null ? "if" : event.interfaceName()) + "(" + event.ifindex() + ")";
	}

	/** {@code 172.17.0.1:45678 > 172.17.0.2:9000 udp}, pcap's order. */
	static String tuple(PacketEvent event) {
		if (event.ipVersion() == 0) {
			return event.etherType() == 0 ? "-" : String.format(Locale.ROOT, "ethertype 0x%04x", event.etherType());
		}
		String protocol = event.protocolName();
		return switch (event.l4Protocol()) {
			case PacketEvent.TCP -> endpoint(event.source(), event.sourcePort()) + " > "
					+ endpoint(event.destination(), event.destinationPort()) + " tcp" + tcpFlags(event.tcpFlags());
			case PacketEvent.UDP -> endpoint(event.source(), event.sourcePort()) + " > "
					+ endpoint(event.destination(), event.destinationPort()) + " udp";
			case PacketEvent.ICMP, PacketEvent.ICMPV6 -> AddressText.of(event.source()) + " > " + AddressText.of(event.destination())
					+ " " + protocol + " type " + event.icmpType() + " code " + event.icmpCode();
			default -> AddressText.of(event.source()) + " > " + AddressText.of(event.destination()) + " " + protocol;
		};
	}

	/**
	 * The probe point, a drop's reason, kind and location or a function's return value
	 * ({@code ip_route_input_noref \u2192 -EHOSTUNREACH}), then the skb's conntrack state if any.
	 */
	static String where(PacketEvent event) {
		String conntrack = event.conntrack().map(entry -> " ct " + entry).orElse("")
				+ event.encapsulation().map(outer -> " [" + outer.describe() + "]").orElse("");
		if (event.isDrop()) {
			return event.where() + " " + (event.dropReason() != null ? event.dropReason()
					: event.dropKindExplanation() != null && event.dropKindExplanation().startsWith("XDP_ABORTED")
							? "XDP_ABORTED" : "XDP_DROP")
					+ (event.dropKind() == null ? "" : " (" + event.dropKind().label() + ")")
					+ (event.location() == null ? "" : " at " + event.location()) + conntrack;
		}
		return event.where() + event.returned().map(value -> " \u2192 " + value).orElse("") + conntrack;
	}

	/** tcpdump's letters: [S], [S.], [P.], [F.], [R]. */
	static String tcpFlags(int flags) {
		StringBuilder letters = new StringBuilder();
		if ((flags & 0x02) != 0) {
			letters.append('S');
		}
		if ((flags & 0x01) != 0) {
			letters.append('F');
		}
		if ((flags & 0x04) != 0) {
			letters.append('R');
		}
		if ((flags & 0x08) != 0) {
			letters.append('P');
		}
		if ((flags & 0x10) != 0) {
			letters.append('.');
		}
		return letters.isEmpty() ? "" : " [" + letters + "]";
	}

	private static String endpoint(InetAddress address, int port) {
		return address instanceof Inet6Address ? "[" + AddressText.of(address) + "]:" + port
				: AddressText.of(address) + ":" + port;
	}
}
