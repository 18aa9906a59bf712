package io.tracepackets.internal.evidence;

import io.tracepackets.DropCulprit;
import io.tracepackets.PacketEvent;
import io.tracepackets.PacketPath;
import io.tracepackets.AddressText;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A trace as JSON lines: one event per line, in trace order, with stable field names (documented
 * in docs/evidence.md, schema version {@value #SCHEMA}). Fields a probe did not see are left out
 * rather than written as null; {@code packet} numbers the event's packet path (0-based, in
 * {@code trace.paths()} order), absent for events that belong to no packet.
 */
public final class JsonLines {

	/** Bumped when a field changes meaning or is removed; new fields do not bump it. */
	public static final int SCHEMA = 1;

	private JsonLines() {
	}

	/**
	 * Writes at most {@code maxEvents} events; returns how many were written. A first line
	 * {@code {"schema":1,"events":N,"written":M}} says whether the file was cut.
	 */
	public static int write(Path file, List<PacketEvent> events, List<PacketPath> paths, int maxEvents,
			Map<Long, String> namespaceLabels) throws IOException {
		PathNumbers numbers = new PathNumbers(paths);
		int written = Math.min(events.size(), maxEvents);
		try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
			out.write("{\"schema\":" + SCHEMA + ",\"events\":" + events.size() + ",\"written\":" + written + "}\n");
			for (int i = 0; i < written; i++) {
				PacketEvent event = events.get(i);
				out.write(line(event, numbers.packet(event), numbers.journey(event),
						namespaceLabels.get(event.netns())));
				out.write('\n');
			}
		}
		return written;
	}

	/** One event as one JSON object, with the kernel's journey id (a stream, with no paths yet). */
	public static String line(PacketEvent e, Integer packet) {
		return line(e, packet, e.journey(), null);
	}

	/**
	 * One event as one JSON object, without the newline; {@code packet} its path's index, or null;
	 * {@code journey} its path's journey id (0: none); {@code namespaceLabel} what its namespace is
	 * called (a container's name, a netns path), or null.
	 */
	public static String line(PacketEvent e, Integer packet, long journey, String namespaceLabel) {
		Json json = new Json();
		json.number("ts_ns", e.timestampNanos());
		if (packet != null) {
			json.number("packet", packet);
		}
		json.string("skb", "0x" + Long.toHexString(e.skb()));
		if (journey != 0) {
			json.string("journey", Long.toHexString(journey));
		}
		json.string("where", e.where());
		json.string("probe", e.kind().name().toLowerCase(java.util.Locale.ROOT));
		json.number("cpu", e.cpu());
		json.number("pid", e.pid());
		json.string("comm", e.comm());
		json.number("netns", e.netns());
		if (namespaceLabel != null && !namespaceLabel.equals(Long.toString(e.netns()))) {
			json.string("netns_owner", namespaceLabel);
		}
		if (e.ifindex() != 0) {
			json.number("ifindex", e.ifindex());
			json.string("iface", e.interfaceName());
		}
		json.number("len", e.length());
		json.number("mark", e.mark());
		if (e.etherType() != 0) {
			json.string("ethertype", String.format(java.util.Locale.ROOT, "0x%04x", e.etherType()));
		}
		if (e.ipVersion() != 0) {
			json.number("ip_version", e.ipVersion());
			json.string("src", address(e.source()));
			json.string("dst", address(e.destination()));
			json.string("proto", e.protocolName());
			if (e.l4Protocol() == PacketEvent.TCP || e.l4Protocol() == PacketEvent.UDP) {
				json.number("sport", e.sourcePort());
				json.number("dport", e.destinationPort());
			}
			if (e.icmpType() >= 0) {
				json.number("icmp_type", e.icmpType());
				json.number("icmp_code", e.icmpCode());
			}
			if (e.l4Protocol() == PacketEvent.TCP) {
				json.number("tcp_flags", e.tcpFlags());
			}
		}
		e.returned().ifPresent(value -> {
			json.number("returned", value.value());
			json.string("returned_text", value.text());
		});
		e.conntrack().ifPresent(entry -> {
			json.string("ct_state", entry.state().name());
			if (entry.reply()) {
				json.bool("ct_reply", true);
			}
			json.bool("ct_confirmed", entry.confirmed());
			if (entry.sourceNat()) {
				json.bool("ct_snat", true);
			}
			if (entry.destinationNat()) {
				json.bool("ct_dnat", true);
			}
			json.number("ct_zone", entry.zone());
			json.number("ct_mark", entry.mark());
		});
		e.beforeTranslation().ifPresent(before -> {
			json.string("pre_nat_src", address(before.source()));
			json.string("pre_nat_dst", address(before.destination()));
			if (e.l4Protocol() == PacketEvent.TCP || e.l4Protocol() == PacketEvent.UDP) {
				json.number("pre_nat_sport", before.sourcePort());
				json.number("pre_nat_dport", before.destinationPort());
			}
		});
		e.encapsulation().ifPresent(outer -> {
			json.string("encap", outer.protocol());
			json.string("outer_src", address(outer.source()));
			json.string("outer_dst", address(outer.destination()));
			json.number("outer_sport", outer.sourcePort());
			json.number("outer_dport", outer.destinationPort());
			json.number("vni", outer.vni());
		});
		e.packetBytes().ifPresent(bytes -> {
			json.string("bytes_layer", bytes.layer().name().toLowerCase(java.util.Locale.ROOT));
			json.number("bytes_orig_len", bytes.originalLength());
			json.string("bytes", java.util.HexFormat.of().formatHex(bytes.toByteArray()));
		});
		if (e.isDrop()) {
			json.string("drop_reason", e.dropReason() == null ? null : e.dropReason().name());
			json.string("drop_kind", e.dropKind() == null ? null : e.dropKind().name().toLowerCase(java.util.Locale.ROOT));
			json.string("drop_kind_why", e.dropKindExplanation());
			json.string("diagnosis", e.dropDiagnosis());
			json.string("dropped_by", e.culprit().map(DropCulprit::describe).orElse(null));
			json.string("location", e.location());
			json.strings("stack", e.stack());
		}
		return json.toString();
	}

	private static String address(InetAddress address) {
		return address == null ? null : AddressText.of(address);
	}

	/** Just enough JSON: an object of numbers, booleans, strings and string arrays, nulls left out. */
	private static final class Json {

		private final StringBuilder out = new StringBuilder("{");

		void number(String name, long value) {
			key(name).append(value);
		}

		void bool(String name, boolean value) {
			key(name).append(value);
		}

		void string(String name, String value) {
			if (value != null) {
				quote(key(name), value);
			}
		}

		void strings(String name, List<String> values) {
			if (values.isEmpty()) {
				return;
			}
			StringBuilder array = key(name).append('[');
			for (int i = 0; i < values.size(); i++) {
				if (i > 0) {
					array.append(',');
				}
				quote(array, values.get(i));
			}
			array.append(']');
		}

		private StringBuilder key(String name) {
			if (out.length() > 1) {
				out.append(',');
			}
			return quote(out, name).append(':');
		}

		private static StringBuilder quote(StringBuilder to, String text) {
			to.append('"');
			for (int i = 0; i < text.length(); i++) {
				char c = text.charAt(i);
				switch (c) {
					case '"' -> to.append("\\\"");
					case '\\' -> to.append("\\\\");
					case '\n' -> to.append("\\n");
					case '\r' -> to.append("\\r");
					case '\t' -> to.append("\\t");
					default -> {
						if (c < 0x20) {
							to.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
						} else {
							to.append(c);
						}
					}
				}
			}
			return to.append('"');
		}

		@Override
		public String toString() {
			return out + "}";
		}
	}
}
