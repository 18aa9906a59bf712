package io.tracepackets;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How TracePackets sees kernel functions. Tracepoints (drops with their reason and stack, device
 * queueing, reception) are traced by every backend; the function backends add pwru's view of
 * every function that takes a {@code struct sk_buff *}.
 */
public enum Backend {
	/** Probe the kernel and take the best available: kprobe-multi, fentry, kprobe, tracepoint. */
	AUTO("auto"),
	/** One kprobe-multi link per skb argument position (5.18+ with CONFIG_FPROBE): fastest attach. */
	KPROBE_MULTI("kprobe-multi"),
	/** BPF trampolines, one per function (5.5+): lowest cost per hit. */
	FENTRY("fentry"),
	/** One kprobe per function: the oldest and most widely available. */
	KPROBE("kprobe"),
	/** Tracepoints only: no kernel function is seen. */
	TRACEPOINT("tracepoint");

	private final String label;

	Backend(String label) {
		this.label = label;
	}

	/**
	 * The name used in properties, logs and messages: {@code kprobe-multi}.
	 *
	 * @return the lower-case, hyphenated label, which {@link #parse(String)} takes back
	 */
	public String label() {
		return label;
	}

	/**
	 * Parses a label ({@code kprobe-multi}) or constant name ({@code KPROBE_MULTI}).
	 *
	 * @param text the backend's name in any case, blanks around it ignored: {@code "Fentry "} works
	 * @return the backend of that name
	 * @throws IllegalArgumentException when no backend has that name; the message lists them
	 */
	public static Backend parse(String text) {
		String wanted = text.strip().toLowerCase(Locale.ROOT).replace('_', '-');
		for (Backend backend : values()) {
			if (backend.label.equals(wanted)) {
				return backend;
			}
		}
		throw new IllegalArgumentException("unknown backend \"" + text + "\": use one of "
				+ Arrays.stream(values()).map(Backend::label).collect(Collectors.joining(", ")));
	}

	@Override
	public String toString() {
		return label;
	}
}
