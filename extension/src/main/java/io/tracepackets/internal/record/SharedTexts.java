package io.tracepackets.internal.record;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One copy of each sentence and name the decoder and the drop attribution make per event: a
 * flood's millions of drops carry the same few (their diagnosis, location, why no culprit was
 * named), and each event kept its own string, and its own {@link Optional} of it. A bounded pool:
 * past {@value #MOST} distinct texts, new ones are not pooled (a trace of many addresses makes many
 * diagnoses), so it cannot grow without end in a long run.
 */
public final class SharedTexts {

	private static final int MOST = 16_384;
	private static final Map<String, Optional<String>> TEXTS = new ConcurrentHashMap<>();

	private SharedTexts() {
	}

	/**
	 * {@code text}, or an equal one pooled before.
	 *
	 * @param text any text; null gives null
	 * @return the pooled copy, or {@code text} itself
	 */
	public static String of(String text) {
		return text == null ? null : optional(text).get();
	}

	/**
	 * {@code text} in an {@link Optional}, pooled with it.
	 *
	 * @param text any text; null gives an empty optional
	 * @return the pooled optional, or a new one past the pool's bound
	 */
	public static Optional<String> optional(String text) {
		if (text == null) {
			return Optional.empty();
		}
		Optional<String> known = TEXTS.get(text);
		if (known != null) {
			return known;
		}
		Optional<String> fresh = Optional.of(text);
		if (TEXTS.size() >= MOST) {
			return fresh;
		}
		known = TEXTS.putIfAbsent(text, fresh);
		return known == null ? fresh : known;
	}
}
