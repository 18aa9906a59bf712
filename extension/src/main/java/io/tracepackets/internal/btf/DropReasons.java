package io.tracepackets.internal.btf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
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
 */
public final class DropReasons {

	static final String ENUM_NAME = "skb_drop_reason";
	private static final String PREFIX = "SKB_DROP_REASON_";
	private static final String SHORT_PREFIX = "SKB_";

	private final Map<Integer, String> namesByValue;
	private final Map<String, Integer> valuesByName;
	private final List<String> names;

	private DropReasons(Map<Integer, String> namesByValue) {
		this.namesByValue = Map.copyOf(namesByValue);
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

	/** The drop reasons described by {@code btf}. */
	public static DropReasons fromBtf(Btf btf) {
		return of(btf.enumValues(ENUM_NAME));
	}

	/** Drop reasons from enumerators as {@link Btf#enumValues(String)} gives them (full names). */
	public static DropReasons of(Map<Long, String> enumerators) {
		Map<Integer, String> byValue = new HashMap<>();
		enumerators.forEach((value, name) -> {
			// Only values a tracepoint can report (an int) are reasons; masks and the like are not.
			if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
				byValue.putIfAbsent(value.intValue(), shortName(name));
			}
		});
		return new DropReasons(byValue);
	}

	private static String shortName(String name) {
		String upper = name.toUpperCase(Locale.ROOT);
		if (upper.startsWith(PREFIX)) {
			return upper.substring(PREFIX.length());
		}
		return upper.startsWith(SHORT_PREFIX) ? upper.substring(SHORT_PREFIX.length()) : upper;
	}

	/** The name of reason {@code value}, e.g. {@code "NETFILTER_DROP"}; {@code "reason#N"} when unknown. */
	public String name(int value) {
		String name = namesByValue.get(value);
		return name != null ? name : "reason#" + value;
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
