package io.tracepackets.internal.drops;

import io.tracepackets.DropKind;
import io.tracepackets.PacketEvent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's drop reasons ({@code enum skb_drop_reason}, names without {@code SKB_DROP_REASON_})
 * in one table, read from {@code drop-reasons.tsv} beside this class: what each drop meant
 * ({@link #classify}) and what probably caused it ({@link #explain}). A second small table,
 * {@code drop-locations.tsv}, names the kernel functions where a free means something whatever its
 * reason: for {@code NOT_SPECIFIED} (and so for every drop of kernels before 5.17, which report no
 * reason) and {@code QUEUE_PURGE}, the drop location decides. Both files are the data to review;
 * this class only reads and checks them. Immutable.
 */
public final class DropReasonTable {

	static final String REASONS_RESOURCE = "drop-reasons.tsv";
	static final String LOCATIONS_RESOURCE = "drop-locations.tsv";

	/** The layers a reason may name: where in the stack the packet was freed. */
	public static final Set<String> LAYERS = Set.of("none", "core", "device", "link", "bridge", "tunnel",
			"xdp", "tc", "qdisc", "bpf", "netfilter", "security", "xfrm", "psp", "routing", "neighbour", "ip",
			"icmp", "tcp", "udp", "socket", "can");

	/** The placeholders a sentence may use, filled from the packet by {@link #explain}. */
	public static final Set<String> PLACEHOLDERS = Set.of("src", "dst", "proto", "dport", "dev");

	/** {proto} of the protocols sentences name in words, by IANA number. */
	private static final Map<Integer, String> PROTOCOLS = Map.of(PacketEvent.TCP, "tcp", PacketEvent.UDP, "udp",
			PacketEvent.ICMP, "icmp", PacketEvent.ICMPV6, "icmp6");
	private static final Set<Integer> ICMP = Set.of(PacketEvent.ICMP, PacketEvent.ICMPV6);

	static final String NOT_SPECIFIED = "NOT_SPECIFIED";
	static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
	private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]*");
	private static final String PREFIX = "SKB_DROP_REASON_";
	private static final String SHORT_PREFIX = "SKB_";
	private static final String UNKNOWN_VALUE = "?";

	/**
	 * One reason.
	 *
	 * @param name the reason's name, e.g. {@code NETFILTER_DROP}
	 * @param kind what the drop meant; for a reason the location decides, the kind where no location
	 *     rule applies
	 * @param layer where in the stack, one of {@link #LAYERS}
	 * @param locationDecides whether a location rule, when one matches, decides the kind
	 * @param sentence the likely cause and what to check, with {@link #PLACEHOLDERS} in braces
	 * @param why why this kind
	 */
	public record Entry(String name, DropKind kind, String layer, boolean locationDecides, String sentence,
			String why) {
	}

	/**
	 * A kernel function where a free (of a reason the location decides) means {@code kind}.
	 *
	 * @param function the function's name, e.g. {@code sk_stream_kill_queues}
	 * @param kind what a free there meant
	 * @param why what happened there
	 */
	public record LocationRule(String function, DropKind kind, String why) {
	}

	private final Map<String, Entry> entries;
	private final Map<String, LocationRule> rules;

	private DropReasonTable(Map<String, Entry> entries, Map<String, LocationRule> rules) {
		this.entries = Collections.unmodifiableMap(entries);
		this.rules = Collections.unmodifiableMap(rules);
	}

	/** The table shipped with TracePackets (read once, then shared). */
	public static DropReasonTable load() {
		return Shared.TABLE;
	}

	private static final class Shared {
		static final DropReasonTable TABLE = parse(resourceLines(REASONS_RESOURCE), resourceLines(LOCATIONS_RESOURCE));
	}

	/**
	 * A table from the lines of a reasons file and of a locations file, checked as {@link #load()}
	 * checks the shipped ones.
	 *
	 * @throws IllegalArgumentException naming the first malformed line
	 */
	static DropReasonTable parse(List<String> reasonLines, List<String> locationLines) {
		Map<String, Entry> entries = new LinkedHashMap<>();
		forEachRow(REASONS_RESOURCE, reasonLines, 6, (where, f) -> {
			String name = checkedName(where, f[0]);
			Entry entry = new Entry(name, kind(where, f[1]), layer(where, f[2]), place(where, f[3]),
					sentence(where, f[4]), text(where, "why", f[5]));
			if (entries.putIfAbsent(name, entry) != null) {
				throw new IllegalArgumentException(where + ": " + name + " is listed twice");
			}
		});
		Map<String, LocationRule> rules = new LinkedHashMap<>();
		forEachRow(LOCATIONS_RESOURCE, locationLines, 3, (where, f) -> {
			String function = text(where, "function", f[0]);
			if (!function.equals(functionOf(function))) {
				throw new IllegalArgumentException(where + ": \"" + function
						+ "\" is not a bare function name (no offset, module or suffix)");
			}
			LocationRule rule = new LocationRule(function, kind(where, f[1]), text(where, "why", f[2]));
			if (rules.putIfAbsent(function, rule) != null) {
				throw new IllegalArgumentException(where + ": " + function + " is listed twice");
			}
		});
		if (!entries.containsKey(NOT_SPECIFIED)) {
			throw new IllegalArgumentException(REASONS_RESOURCE + ": " + NOT_SPECIFIED + " is missing");
		}
		return new DropReasonTable(entries, rules);
	}

	/** Every reason of the table, in the table's order (the kernel's enum order). */
	public Set<String> names() {
		return entries.keySet();
	}

	/** All location rules, in the file's order. */
	public List<LocationRule> locationRules() {
		return List.copyOf(rules.values());
	}

	/**
	 * The entry of reason {@code name}, with or without the {@code SKB_DROP_REASON_} prefix, in any
	 * case; empty for a reason this table does not know.
	 */
	public Optional<Entry> entry(String name) {
		return Optional.ofNullable(canonical(name)).map(entries::get);
	}

	/**
	 * What a drop meant. The reason decides, except for the reasons the location decides
	 * ({@code NOT_SPECIFIED}, {@code QUEUE_PURGE}): for those a location rule matching the drop
	 * location's function wins, else the reason's own kind. A missing reason ({@code null} or blank,
	 * as on kernels before 5.17) counts as {@code NOT_SPECIFIED}; a reason the table does not know is
	 * {@link DropKind#LOST} until classified.
	 *
	 * @param reasonName the reason, e.g. {@code "QUEUE_PURGE"} or {@code "SKB_DROP_REASON_QUEUE_PURGE"}
	 * @param locationFunction where the skb was freed: a function ({@code "sk_stream_kill_queues"}),
	 *     also with offset or module ({@code "nf_hook_slow+0x7d [nf_tables]"}); may be {@code null}
	 */
	public Classification classify(String reasonName, String locationFunction) {
		String name = reasonName == null || reasonName.isBlank() ? NOT_SPECIFIED : canonical(reasonName);
		Entry entry = name == null ? null : entries.get(name);
		if (entry == null) {
			String shown = name == null ? reasonName.strip() : name;
			return new Classification(DropKind.LOST, shown
					+ ": not in TracePackets' table yet, so counted as lost (see its comment in the kernel's "
					+ header(shown) + ")");
		}
		String function = locationFunction == null ? null : functionOf(locationFunction);
		String at = function == null || function.isEmpty() ? "" : " at " + function;
		if (entry.locationDecides()) {
			LocationRule rule = function == null ? null : rules.get(function);
			if (rule != null) {
				return new Classification(rule.kind(), entry.name() + at + ": " + rule.why());
			}
			return new Classification(entry.kind(), entry.name() + at + ": " + entry.why());
		}
		return new Classification(entry.kind(), entry.name() + ": " + entry.why());
	}

	/**
	 * The reason's sentence with its placeholders filled from {@code values} ({@code "dst"},
	 * {@code "dport"}, {@code "proto"}, {@code "src"}, {@code "dev"}); a value missing or blank
	 * renders as {@code ?}. A reason the table does not know gets a sentence that names it and points
	 * at the kernel's header.
	 */
	public String explain(String reasonName, Map<String, String> values) {
		Objects.requireNonNull(values, "values");
		String name = reasonName == null || reasonName.isBlank() ? NOT_SPECIFIED : canonical(reasonName);
		Entry entry = name == null ? null : entries.get(name);
		if (entry == null) {
			String shown = name == null ? reasonName.strip() : name;
			return "the kernel dropped it for reason " + shown
					+ ", which TracePackets does not describe yet: see its comment in the kernel's " + header(shown);
		}
		Matcher m = PLACEHOLDER.matcher(entry.sentence());
		StringBuilder out = new StringBuilder();
		while (m.find()) {
			String value = values.get(m.group(1));
			m.appendReplacement(out, Matcher.quoteReplacement(
					value == null || value.isBlank() ? UNKNOWN_VALUE : value.strip()));
		}
		return m.appendTail(out).toString();
	}

	/**
	 * The values a drop's sentence is filled with ({@link #explain}), from the packet: {src},
	 * {dst}, {proto}, {dport} (not for ICMP, whose type and code sit where ports would), {dev};
	 * absent ones are left out.
	 *
	 * @param source the source address as messages print it; null when unknown
	 * @param destination the destination address as messages print it; null when unknown
	 * @param l4Protocol the IANA protocol number; 0 when unknown
	 * @param dport the destination port; 0 when unknown
	 * @param device the device's name; null when unknown
	 */
	public static Map<String, String> sentenceValues(String source, String destination, int l4Protocol, int dport,
			String device) {
		Map<String, String> values = new HashMap<>();
		if (source != null) {
			values.put("src", source);
		}
		if (destination != null) {
			values.put("dst", destination);
		}
		String proto = PROTOCOLS.get(l4Protocol);
		if (proto == null && l4Protocol != 0) {
			proto = "proto " + l4Protocol;
		}
		if (proto != null) {
			values.put("proto", proto);
		}
		if (!ICMP.contains(l4Protocol) && dport != 0) {
			values.put("dport", Integer.toString(dport));
		}
		if (device != null) {
			values.put("dev", device);
		}
		return values;
	}

	/** The kernel header that documents reason {@code name}: the core one, or its subsystem's. */
	private static String header(String name) {
		if (name.startsWith("QDISC_DROP_")) {
			return "include/net/dropreason-qdisc.h";
		}
		// A subsystem's reason whose enum is in a module (OPENVSWITCH_3): dropreason.h lists them.
		return !name.startsWith("REASON_") && name.matches(".*_\\d+") ? "include/net/dropreason.h and the subsystem's own header"
				: "include/net/dropreason-core.h";
	}

	@Override
	public String toString() {
		return "DropReasonTable[" + entries.size() + " reasons, " + rules.size() + " location rules]";
	}

	/**
	 * The table's name for {@code name}: upper case, without {@code SKB_DROP_REASON_} (nor
	 * {@code SKB_} for {@code SKB_CONSUMED} and {@code SKB_NOT_DROPPED_YET}); {@code null} when it
	 * cannot be a reason name.
	 */
	private String canonical(String name) {
		if (name == null) {
			return null;
		}
		String upper = name.strip().toUpperCase(Locale.ROOT);
		if (upper.startsWith(PREFIX)) {
			upper = upper.substring(PREFIX.length());
		} else if (!entries.containsKey(upper) && upper.startsWith(SHORT_PREFIX)
				&& entries.containsKey(upper.substring(SHORT_PREFIX.length()))) {
			// Tried as given first: some names themselves start with SKB_ (SKB_CSUM).
			upper = upper.substring(SHORT_PREFIX.length());
		}
		return NAME.matcher(upper).matches() ? upper : null;
	}

	/**
	 * {@code "udp_destruct_common.isra.0+0x5b [mod]"} → {@code "udp_destruct_common"}: the symbol
	 * without offset, module, or the compiler's clone suffixes ({@code .isra.0}, {@code .cold}).
	 */
	static String functionOf(String location) {
		String s = location.strip();
		int end = s.length();
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			if (c == '+' || c == ' ' || c == '.' || c == '\t') {
				end = i;
				break;
			}
		}
		return s.substring(0, end);
	}

	interface Row {
		void accept(String where, String[] fields);
	}

	/** Each row of a table file that is neither blank nor a comment, split at its tabs and checked for {@code columns}. */
	static void forEachRow(String file, List<String> lines, int columns, Row row) {
		for (int i = 0; i < lines.size(); i++) {
			String line = lines.get(i);
			if (line.isBlank() || line.startsWith("#")) {
				continue;
			}
			String where = file + " line " + (i + 1);
			String[] fields = line.split("\t", -1);
			if (fields.length != columns) {
				throw new IllegalArgumentException(where + ": " + fields.length + " tab-separated columns, expected "
						+ columns + ": " + line);
			}
			row.accept(where, fields);
		}
	}

	private static String checkedName(String where, String name) {
		if (!NAME.matcher(name).matches() || name.startsWith(PREFIX)) {
			throw new IllegalArgumentException(where + ": \"" + name
					+ "\" is not a reason name (upper case, without SKB_DROP_REASON_)");
		}
		return name;
	}

	private static DropKind kind(String where, String kind) {
		try {
			return DropKind.valueOf(kind);
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException(where + ": \"" + kind + "\" is not a DropKind", e);
		}
	}

	private static String layer(String where, String layer) {
		if (!LAYERS.contains(layer)) {
			throw new IllegalArgumentException(where + ": \"" + layer + "\" is not a layer of " + LAYERS);
		}
		return layer;
	}

	private static boolean place(String where, String place) {
		return switch (place) {
			case "reason" -> false;
			case "location" -> true;
			default -> throw new IllegalArgumentException(where + ": place \"" + place
					+ "\" is neither reason nor location");
		};
	}

	private static String sentence(String where, String sentence) {
		text(where, "sentence", sentence);
		Matcher m = PLACEHOLDER.matcher(sentence);
		while (m.find()) {
			if (!PLACEHOLDERS.contains(m.group(1))) {
				throw new IllegalArgumentException(where + ": unknown placeholder {" + m.group(1) + "}, allowed: "
						+ PLACEHOLDERS);
			}
		}
		String rest = PLACEHOLDER.matcher(sentence).replaceAll("");
		if (rest.indexOf('{') >= 0 || rest.indexOf('}') >= 0) {
			throw new IllegalArgumentException(where + ": unbalanced brace in \"" + sentence + "\"");
		}
		return sentence;
	}

	static String text(String where, String column, String text) {
		if (text.isBlank() || !text.equals(text.strip())) {
			throw new IllegalArgumentException(where + ": the " + column + " is empty or has surrounding spaces");
		}
		return text;
	}

	static List<String> resourceLines(String name) {
		try (InputStream in = DropReasonTable.class.getResourceAsStream(name)) {
			if (in == null) {
				throw new IllegalStateException("resource " + name + " missing beside " + DropReasonTable.class.getName());
			}
			return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList();
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
