package io.tracepackets.internal.btf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The kernel's {@code enum skb_drop_reason}, as read from its BTF, to turn the reason a
 * {@code kfree_skb} tracepoint reports into a name and back ({@code 3 <-> "NO_SOCKET"}).
 *
 * <p>Names are given without the {@code SKB_DROP_REASON_} prefix (and without {@code SKB_} for the
 * two enumerators that only have that one, {@code NOT_DROPPED_YET} and {@code CONSUMED}). Kernels
 * before 5.17 have no such enum: then there are no names and every value renders as
 * {@code reason#N}.
 *
 * <p>Since 6.0 a reason's upper 16 bits may name a subsystem ({@code enum skb_drop_reason_subsys}):
 * 7.x moved the qdiscs' reasons into {@code enum qdisc_drop_reason} ({@code QDISC_DROP_OVERLIMIT} is
 * {@code SUBSYS_QDISC << 16 | 2}). A subsystem whose enum is in the same BTF is read with it, under
 * its enumerators' own names; one defined in a module (openvswitch, mac80211) renders as
 * {@code OPENVSWITCH#N}, so the subsystem is still named.
 */
public final class DropReasons {

	static final String ENUM_NAME = "skb_drop_reason";
	private static final String PREFIX = "SKB_DROP_REASON_";
	private static final String SHORT_PREFIX = "SKB_";
	static final String SUBSYSTEM_ENUM_NAME = "skb_drop_reason_subsys";
	private static final String SUBSYSTEM_PREFIX = "SKB_DROP_REASON_SUBSYS_";
	/** {@code SKB_DROP_REASON_SUBSYS_SHIFT}: a reason's subsystem is its value's upper 16 bits. */
	private static final int SUBSYSTEM_SHIFT = 16;

	private final Map<Integer, String> namesByValue;
	private final Map<String, Integer> valuesByName;
	private final List<String> names;
	private final Map<Integer, String> subsystems;

	private DropReasons(Map<Integer, String> namesByValue, Map<Integer, String> subsystems) {
		this.namesByValue = Map.copyOf(namesByValue);
		this.subsystems = Map.copyOf(subsystems);
		Map<String, Integer> byName = new HashMap<>();
		List<String> ordered = new ArrayList<>();
		for (Map.Entry<Integer, String> e : new TreeMap<>(namesByValue).entrySet()) {
			byName.putIfAbsent(e.getValue(), e.getKey());
			ordered.add(e.getValue());
		}
		this.valuesByName = Map.copyOf(byName);
		this.names = List.copyOf(ordered);
	}

	/** The drop reasons of the running kernel (reads {@code /sys/kernel/btf/vmlinux}). */
	public static DropReasons fromKernel() {
		return fromBtf(Btf.loadVmlinux());
	}

	/** The drop reasons described by {@code btf}, the subsystems' whose enums it has included. */
	public static DropReasons fromBtf(Btf btf) {
		Map<Long, String> subsystems = btf.enumValues(SUBSYSTEM_ENUM_NAME);
		Map<Long, String> subsystemReasons = new LinkedHashMap<>();
		subsystems.forEach((subsystem, name) -> {
			// SUBSYS_QDISC's reasons are enum qdisc_drop_reason: the subsystem's name, lower case.
			String enumName = subsystemName(name).toLowerCase(Locale.ROOT) + "_drop_reason";
			btf.enumValues(enumName).forEach((value, enumerator) -> {
				if (value >>> SUBSYSTEM_SHIFT == subsystem && !enumerator.startsWith("__")) {
					subsystemReasons.putIfAbsent(value, enumerator);
				}
			});
		});
		return of(btf.enumValues(ENUM_NAME), subsystems, subsystemReasons);
	}

	/** Drop reasons from enumerators as {@link Btf#enumValues(String)} gives them (full names). */
	public static DropReasons of(Map<Long, String> enumerators) {
		return of(enumerators, Map.of(), Map.of());
	}

	/**
	 * Drop reasons from the enumerators of {@code skb_drop_reason}, of
	 * {@code skb_drop_reason_subsys} and of the subsystems' own enums, as
	 * {@link Btf#enumValues(String)} gives them (full names).
	 */
	public static DropReasons of(Map<Long, String> enumerators, Map<Long, String> subsystemEnumerators,
			Map<Long, String> subsystemReasons) {
		Map<Integer, String> byValue = new HashMap<>();
		enumerators.forEach((value, name) -> {
			// Only values a tracepoint can report (an int) are reasons; masks and the like are not.
			if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
				byValue.putIfAbsent(value.intValue(), shortName(name));
			}
		});
		// A subsystem's reason keeps its own enum's name: QDISC_DROP_OVERLIMIT says whose it is.
		subsystemReasons.forEach((value, name) -> {
			if (value > 0 && value <= Integer.MAX_VALUE) {
				byValue.putIfAbsent(value.intValue(), name.toUpperCase(Locale.ROOT));
			}
		});
		Map<Integer, String> subsystems = new HashMap<>();
		subsystemEnumerators.forEach((value, name) -> {
			// CORE (0) is the plain enum; SUBSYS_NUM is the count, not a subsystem.
			if (value > 0 && value < 1 << 15 && !name.endsWith("_NUM")) {
				subsystems.put(value.intValue(), subsystemName(name));
			}
		});
		return new DropReasons(byValue, subsystems);
	}

	private static String subsystemName(String enumerator) {
		String upper = enumerator.toUpperCase(Locale.ROOT);
		return upper.startsWith(SUBSYSTEM_PREFIX) ? upper.substring(SUBSYSTEM_PREFIX.length()) : upper;
	}

	private static String shortName(String name) {
		String upper = name.toUpperCase(Locale.ROOT);
		if (upper.startsWith(PREFIX)) {
			return upper.substring(PREFIX.length());
		}
		return upper.startsWith(SHORT_PREFIX) ? upper.substring(SHORT_PREFIX.length()) : upper;
	}

	/**
	 * The name of reason {@code value}, e.g. {@code "NETFILTER_DROP"}; for a subsystem's reason whose
	 * enum this BTF lacks, the subsystem and the number in it ({@code "OPENVSWITCH#3"}); else
	 * {@code "reason#N"}.
	 */
	public String name(int value) {
		String name = namesByValue.get(value);
		if (name != null) {
			return name;
		}
		String subsystem = subsystems.get(value >>> SUBSYSTEM_SHIFT);
		return subsystem != null ? subsystem + "#" + (value & 0xffff) : "reason#" + value;
	}

	/**
	 * The value of the reason named {@code name}, with or without the {@code SKB_DROP_REASON_}
	 * prefix, in any case; empty if this kernel has no such reason.
	 */
	public OptionalInt value(String name) {
		String upper = name.strip().toUpperCase(Locale.ROOT);
		// Tried as given first: some short names themselves start with SKB_ (SKB_CSUM).
		Integer value = valuesByName.get(upper);
		if (value == null) {
			value = valuesByName.get(shortName(upper));
		}
		return value == null ? OptionalInt.empty() : OptionalInt.of(value);
	}

	/** All reason names, by ascending value; empty on kernels without {@code skb_drop_reason}. */
	public List<String> names() {
		return names;
	}

	/** Whether the kernel knows no drop reasons (before Linux 5.17). */
	public boolean isEmpty() {
		return names.isEmpty();
	}

	/** Value-to-name view, for diagnostics. */
	public Map<Integer, String> asMap() {
		return Collections.unmodifiableMap(new TreeMap<>(namesByValue));
	}

	@Override
	public String toString() {
		return "DropReasons[" + names.size() + " reasons]";
	}
}
