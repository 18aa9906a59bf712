package io.tracepackets.internal.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tracepackets.internal.bpf.ObjectDump;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link EventLayout} against {@code struct tp_event} as clang laid it out in the BPF object the
 * Maven build compiles (generate-resources) and the jar carries.
 *
 * <p>The layout is read from the object's debug information ({@code -g}): its DWARF, dumped by
 * {@code llvm-dwarfdump}. Its BTF cannot tell: clang puts into .BTF only the types that maps,
 * global variables, function signatures and CO-RE relocations use, and {@code struct tp_event}
 * only types the result of {@code bpf_ringbuf_reserve} inside inlined functions, so
 * {@code bpftool btf dump file tracepackets.bpf.o} does not list it.
 */
class EventLayoutTest {

	private static final String OBJECT = "/io/tracepackets/bpf/tracepackets.bpf.o";
	private static final String DWARFDUMP = "llvm-dwarfdump";

	/** {@code 0x00000559:   DW_TAG_member} or {@code 0x00000616:   NULL}. */
	private static final Pattern DIE = Pattern.compile("^0x[0-9a-f]+:( +)(DW_TAG_\\w+|NULL)\\s*$");
	/** {@code DW_AT_data_member_location	(0x08)}. */
	private static final Pattern ATTRIBUTE = Pattern.compile("^\\s+DW_AT_(\\w+)\\s+\\((.*)\\)\\s*$");
	/** The type's name in an attribute value: {@code 0x0000061f "__u8[16]"}. */
	private static final Pattern TYPE_NAME = Pattern.compile("\"([^\"]+)\"");
	private static final Pattern ARRAY = Pattern.compile("(\\w+)\\[(\\d+)]");

	/** Sizes of the fixed-width types tracepackets.h uses. */
	private static final Map<String, Integer> TYPE_SIZES = Map.of("__u64", 8, "__s64", 8, "__u32", 4, "__s32", 4,
			"__u16", 2, "__s16", 2, "__u8", 1, "__s8", 1, "char", 1);

	/** Constants of EventLayout that are not member offsets. */
	private static final Set<String> NOT_OFFSETS = Set.of("SIZE", "ADDR_LEN", "COMM_LEN", "INLINE_NETNS", "CONFIG_SIZE",
			"HOOK_COUNTS");
	/** Prefixes of EventLayout constants mirroring enum tp_probe, tp_mode and tp_counter. */
	private static final List<String> ENUM_PREFIXES = List.of("PROBE_", "MODE_", "COUNTER_", "NAT_", "TRAILER_", "CT_",
			"TUNNEL_");

	private static List<Die> dies;

	/** One debugging information entry of llvm-dwarfdump's output. */
	private record Die(String tag, int depth, Map<String, String> attributes) {

		String name() {
			String quoted = attributes.get("name");
			return quoted == null ? null : quoted.substring(1, quoted.length() - 1);
		}

		String typeName() {
			Matcher matcher = TYPE_NAME.matcher(attributes.getOrDefault("type", ""));
			assertThat(matcher.find()).as("type of %s", name()).isTrue();
			return matcher.group(1);
		}

		int number(String attribute) {
			String value = attributes.get(attribute);
			assertThat(value).as("%s of %s", attribute, name()).isNotNull();
			return value.startsWith("0x") ? Integer.parseInt(value.substring(2), 16) : Integer.parseInt(value);
		}
	}

	@BeforeAll
	static void dumpDebugInfo() throws Exception {
		URL object = EventLayout.class.getResource(OBJECT);
		assertThat(object).as("%s on the test class path: the Maven build compiles it from bpf/ in "
				+ "generate-resources (mvn -o -pl extension test-compile)", OBJECT).isNotNull();
		dies = parse(dwarfdump(Path.of(object.toURI())));
	}

	@Test
	void should_size_the_event_as_the_compiled_struct() {
		// GIVEN
		Die struct = struct("tp_event");

		// WHEN
		int size = struct.number("byte_size");

		// THEN
		assertThat(EventLayout.SIZE).isEqualTo(size).isEqualTo(120);
	}

	@Test
	void should_place_every_member_at_the_offset_of_the_compiled_struct() {
		// GIVEN the members of struct tp_event, named as EventLayout names them (ts_ns -> TS_NS)
		Map<String, Integer> compiled = new TreeMap<>();
		for (Die member : members(struct("tp_event"))) {
			compiled.put(member.name().toUpperCase(Locale.ROOT), member.number("data_member_location"));
		}

		// WHEN
		Map<String, Integer> mirrored = new TreeMap<>(layoutConstants());
		mirrored.keySet().removeIf(name -> NOT_OFFSETS.contains(name) || name.startsWith("CAPTURE_")
				|| name.startsWith("PRE_NAT_") || name.startsWith("COUNT_KEY_")
				|| ENUM_PREFIXES.stream().anyMatch(name::startsWith));

		// THEN every member has its constant, at its offset, and there is no constant for no member
		assertThat(compiled).hasSize(24);
		assertThat(mirrored).isEqualTo(compiled);
	}

	@Test
	void should_size_the_config_as_the_compiled_struct_with_its_inline_inodes() {
		// GIVEN struct tp_config as compiled, which NamespaceFilter writes whole
		Die struct = struct("tp_config");
		Map<String, String> types = new LinkedHashMap<>();
		members(struct).forEach(member -> types.put(member.name(), member.typeName()));

		// THEN
		assertThat(struct.number("byte_size")).as("sizeof(struct tp_config)").isEqualTo(EventLayout.CONFIG_SIZE);
		assertThat(types).containsEntry("netns", "__u32[" + EventLayout.INLINE_NETNS + "]");
	}

	@Test
	void should_size_a_row_of_hook_counts_as_the_compiled_struct() {
		// GIVEN struct tp_hook_row as compiled, which CountMap reads per CPU
		Die struct = struct("tp_hook_row");
		Map<String, String> types = new LinkedHashMap<>();
		members(struct).forEach(member -> types.put(member.name(), member.typeName()));

		// THEN
		assertThat(types).containsExactly(Map.entry("count", "__u64[" + EventLayout.HOOK_COUNTS + "]"));
		assertThat(struct.number("byte_size")).isEqualTo(8 * EventLayout.HOOK_COUNTS);
	}

	@Test
	void should_mirror_the_nat_trailer_of_translated_packets() {
		// GIVEN the members of struct tp_pre_nat, which follows the event when conntrack translated the packet
		Die struct = struct("tp_pre_nat");
		Map<String, Integer> compiled = new TreeMap<>();
		for (Die member : members(struct)) {
			compiled.put("PRE_NAT_" + member.name().toUpperCase(Locale.ROOT), member.number("data_member_location"));
		}

		// WHEN
		Map<String, Integer> mirrored = new TreeMap<>(layoutConstants());
		mirrored.keySet().removeIf(name -> !name.startsWith("PRE_NAT_") || name.equals("PRE_NAT_SIZE")
				|| name.equals("PRE_NAT_KEPT"));

		// THEN
		assertThat(mirrored).isEqualTo(compiled);
		assertThat(struct.number("byte_size")).isEqualTo(EventLayout.PRE_NAT_SIZE);
		assertThat(EventLayout.PRE_NAT_KEPT).as("the fields, up to the reserved padding, rounded to 8")
				.isEqualTo((EventLayout.PRE_NAT_RESERVED + 7) / 8 * 8);
	}

	@Test
	void should_mirror_the_key_of_the_kernel_counts() {
		// GIVEN the members of struct tp_count_key, which CountMap reads and writes whole
		Die struct = struct("tp_count_key");
		Map<String, Integer> compiled = new TreeMap<>();
		for (Die member : members(struct)) {
			compiled.put("COUNT_KEY_" + member.name().toUpperCase(Locale.ROOT), member.number("data_member_location"));
		}

		// WHEN
		Map<String, Integer> mirrored = new TreeMap<>(layoutConstants());
		mirrored.keySet().removeIf(name -> !name.startsWith("COUNT_KEY_") || name.equals("COUNT_KEY_SIZE"));

		// THEN every member at its offset, and no padding: the kernel hashes the key's bytes whole
		assertThat(mirrored).isEqualTo(compiled);
		assertThat(struct.number("byte_size")).isEqualTo(EventLayout.COUNT_KEY_SIZE)
				.isEqualTo(EventLayout.COUNT_KEY_WHERE + 8);
	}

	@Test
	void should_keep_every_record_a_whole_number_of_cache_lines_with_the_ring_buffer_header() {
		// GIVEN the ring buffer's 8-byte header before every record (BPF_RINGBUF_HDR_SZ)
		int header = 8;

		// THEN an event alone, and an event with its NAT trailer, fill whole 64-byte lines
		assertThat((header + EventLayout.SIZE) % 64).isZero();
		assertThat((header + EventLayout.SIZE + EventLayout.PRE_NAT_SIZE) % 64).isZero();
	}

	@Test
	void should_mirror_the_capture_trailer_of_records_with_packet_bytes() {
		// GIVEN the members of struct tp_capture, which follows the event when the probes copy bytes
		Die struct = struct("tp_capture");
		Map<String, Integer> compiled = new TreeMap<>();
		for (Die member : members(struct)) {
			compiled.put("CAPTURE_" + member.name().toUpperCase(Locale.ROOT), member.number("data_member_location"));
		}

		// THEN
		assertThat(compiled).isEqualTo(Map.of("CAPTURE_ORIG_LEN", EventLayout.CAPTURE_ORIG_LEN, "CAPTURE_CAP_LEN",
				EventLayout.CAPTURE_CAP_LEN, "CAPTURE_LINK_TYPE", EventLayout.CAPTURE_LINK_TYPE));
		assertThat(struct.number("byte_size")).isEqualTo(EventLayout.CAPTURE_HEADER_SIZE);
		assertThat(EventLayout.recordSize(128)).isEqualTo(EventLayout.SIZE + EventLayout.PRE_NAT_SIZE + 8 + 128);
		assertThat(EventLayout.recordSize(0)).isEqualTo(EventLayout.SIZE + EventLayout.PRE_NAT_KEPT).isEqualTo(168);
		assertThat(EventLayout.captureOffset(EventLayout.TRAILER_CAPTURE)).isEqualTo(EventLayout.SIZE);
	}

	@Test
	void should_size_the_address_and_comm_arrays_as_the_compiled_struct() {
		// GIVEN
		Map<String, String> types = new LinkedHashMap<>();
		members(struct("tp_event")).forEach(member -> types.put(member.name(), member.typeName()));

		// WHEN
		int saddr = arrayLength(types.get("saddr"));
		int daddr = arrayLength(types.get("daddr"));
		int comm = arrayLength(types.get("comm"));

		// THEN
		assertThat(saddr).isEqualTo(EventLayout.ADDR_LEN);
		assertThat(daddr).isEqualTo(EventLayout.ADDR_LEN);
		assertThat(comm).isEqualTo(EventLayout.COMM_LEN);
	}

	@Test
	void should_have_no_implicit_padding_so_each_member_ends_where_the_next_starts() {
		// GIVEN
		Die struct = struct("tp_event");
		List<Die> members = members(struct);

		// WHEN each member's end, and the next member's start (the struct's size after the last)
		List<String> ends = new ArrayList<>();
		List<String> nextStarts = new ArrayList<>();
		for (int i = 0; i < members.size(); i++) {
			Die member = members.get(i);
			ends.add(member.name() + " ends at " + (member.number("data_member_location") + size(member.typeName())));
			int next = i + 1 < members.size() ? members.get(i + 1).number("data_member_location")
					: struct.number("byte_size");
			nextStarts.add(member.name() + " ends at " + next);
		}

		// THEN
		assertThat(ends).isEqualTo(nextStarts);
	}

	@Test
	void should_number_probes_modes_and_counters_as_the_compiled_enums() {
		// GIVEN the enumerators of the object (TP_PROBE_FUNCTION = 16, ...)
		Map<String, Integer> enumerators = new TreeMap<>();
		for (Die die : dies) {
			if (die.tag().equals("DW_TAG_enumerator") && die.name().startsWith("TP_")) {
				enumerators.put(die.name(), die.number("const_value"));
			}
		}

		// WHEN EventLayout's PROBE_, MODE_ and COUNTER_ constants, named as in C
		Map<String, Integer> mirrored = new TreeMap<>();
		layoutConstants().forEach((name, value) -> {
			if (ENUM_PREFIXES.stream().anyMatch(name::startsWith)) {
				mirrored.put("TP_" + name, value);
			}
		});

		// THEN
		assertThat(mirrored).containsOnlyKeys("TP_PROBE_SOCKET_RECEIVE", "TP_PROBE_XDP", "TP_PROBE_FUNCTION",
				"TP_PROBE_FUNCTION_RETURN", "TP_PROBE_SYNTHETIC",
				"TP_PROBE_MARKER",
				"TP_MODE_OFF", "TP_MODE_NETNS", "TP_MODE_ALL", "TP_COUNTER_EMITTED", "TP_COUNTER_LOST",
				"TP_COUNTER_UNCOUNTED",
				"TP_NAT_SOURCE", "TP_NAT_DESTINATION", "TP_TRAILER_NAT", "TP_TRAILER_CAPTURE", "TP_CT_INFO",
				"TP_CT_CONFIRMED", "TP_CT_SOURCE_NAT", "TP_CT_DESTINATION_NAT", "TP_CT_ENTRY", "TP_TUNNEL_VXLAN4",
				"TP_TUNNEL_VXLAN6");
		assertThat(enumerators).containsAllEntriesOf(mirrored);
	}

	private static Die struct(String name) {
		return dies.stream()
				.filter(die -> die.tag().equals("DW_TAG_structure_type") && name.equals(die.name()))
				.findFirst()
				.orElseThrow(() -> new AssertionError("no struct " + name + " in the debug info of " + OBJECT));
	}

	/** The members following the struct's entry, up to the end of its children. */
	private static List<Die> members(Die struct) {
		List<Die> members = new ArrayList<>();
		for (int i = dies.indexOf(struct) + 1; i < dies.size(); i++) {
			Die die = dies.get(i);
			if (die.depth() <= struct.depth() || !die.tag().equals("DW_TAG_member")) {
				break;
			}
			members.add(die);
		}
		assertThat(members).as("members of struct %s", struct.name()).isNotEmpty();
		return members;
	}

	private static Map<String, Integer> layoutConstants() {
		Map<String, Integer> constants = new TreeMap<>();
		for (Field field : EventLayout.class.getDeclaredFields()) {
			int modifiers = field.getModifiers();
			if (Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers) && field.getType() == int.class) {
				try {
					constants.put(field.getName(), field.getInt(null));
				} catch (IllegalAccessException e) {
					throw new AssertionError(e);
				}
			}
		}
		return constants;
	}

	private static int size(String typeName) {
		Matcher array = ARRAY.matcher(typeName);
		if (array.matches()) {
			return size(array.group(1)) * Integer.parseInt(array.group(2));
		}
		Integer size = TYPE_SIZES.get(typeName);
		assertThat(size).as("size of type %s", typeName).isNotNull();
		return size;
	}

	private static int arrayLength(String typeName) {
		Matcher array = ARRAY.matcher(typeName);
		assertThat(array.matches()).as("%s is an array type", typeName).isTrue();
		return Integer.parseInt(array.group(2));
	}

	private static List<Die> parse(List<String> lines) {
		List<Die> result = new ArrayList<>();
		Map<String, String> attributes = null;
		for (String line : lines) {
			Matcher die = DIE.matcher(line);
			if (die.matches()) {
				attributes = new LinkedHashMap<>();
				result.add(new Die(die.group(2), die.group(1).length(), attributes));
				continue;
			}
			Matcher attribute = ATTRIBUTE.matcher(line);
			if (attribute.matches() && attributes != null) {
				attributes.put(attribute.group(1), attribute.group(2));
			}
		}
		return result;
	}

	private static List<String> dwarfdump(Path object) throws IOException, InterruptedException {
		return ObjectDump.lines(DWARFDUMP, object, "the layout of struct tp_event", "--debug-info");
	}
}
