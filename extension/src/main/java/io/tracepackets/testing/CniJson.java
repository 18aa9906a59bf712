package io.tracepackets.testing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of the CNI protocol (network configurations in, results out), read into maps, lists,
 * strings, numbers, booleans and null, and written back in the same key order: CNI plugins take
 * their configuration on stdin and print their result on stdout, and a runtime splices one
 * plugin's result into the next plugin's configuration as {@code prevResult}.
 */
final class CniJson {

	private final String text;
	private int at;

	private CniJson(String text) {
		this.text = text;
	}

	/**
	 * Parses one JSON value (RFC 8259).
	 *
	 * @throws IllegalArgumentException naming the offset and what was expected there
	 */
	static Object parse(String text) {
		CniJson parser = new CniJson(text);
		Object value = parser.value();
		parser.space();
		if (parser.at != text.length()) {
			throw parser.error("the end of the document");
		}
		return value;
	}

	/** The object {@code value} is, or a message saying what {@code what} should have been. */
	@SuppressWarnings("unchecked")
	static Map<String, Object> object(Object value, String what) {
		if (value instanceof Map<?, ?> map) {
			return (Map<String, Object>) map;
		}
		throw new IllegalArgumentException(what + " is not a JSON object: " + write(value));
	}

	/** {@code value} as compact JSON. */
	static String write(Object value) {
		StringBuilder out = new StringBuilder();
		write(value, out);
		return out.toString();
	}

	private static void write(Object value, StringBuilder out) {
		switch (value) {
			case null -> out.append("null");
			case String s -> string(s, out);
			case Map<?, ?> map -> {
				out.append('{');
				boolean first = true;
				for (Map.Entry<?, ?> e : map.entrySet()) {
					out.append(first ? "" : ",");
					first = false;
					string(e.getKey().toString(), out);
					out.append(':');
					write(e.getValue(), out);
				}
				out.append('}');
			}
			case List<?> list -> {
				out.append('[');
				for (int i = 0; i < list.size(); i++) {
					out.append(i == 0 ? "" : ",");
					write(list.get(i), out);
				}
				out.append(']');
			}
			case BigDecimal number -> out.append(number.toPlainString());
			default -> out.append(value); // Boolean, Integer, Long
		}
	}

	private static void string(String s, StringBuilder out) {
		out.append('"');
		for (int i = 0; i < s.length(); i++) {
			char c = s.charAt(i);
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				case '\t' -> out.append("\\t");
				default -> {
					if (c < 0x20) {
						out.append(String.format("\\u%04x", (int) c));
					} else {
						out.append(c);
					}
				}
			}
		}
		out.append('"');
	}

	private Object value() {
		space();
		if (at >= text.length()) {
			throw error("a value");
		}
		char c = text.charAt(at);
		return switch (c) {
			case '{' -> object();
			case '[' -> array();
			case '"' -> string();
			case 't' -> literal("true", Boolean.TRUE);
			case 'f' -> literal("false", Boolean.FALSE);
			case 'n' -> literal("null", null);
			default -> {
				if (c == '-' || Character.isDigit(c)) {
					yield number();
				}
				throw error("a value");
			}
		};
	}

	private Map<String, Object> object() {
		Map<String, Object> map = new LinkedHashMap<>();
		at++;
		space();
		if (peek('}')) {
			at++;
			return map;
		}
		while (true) {
			space();
			if (!peek('"')) {
				throw error("a member name in quotes");
			}
			String key = string();
			space();
			expect(':');
			map.put(key, value());
			space();
			if (peek(',')) {
				at++;
			} else {
				expect('}');
				return map;
			}
		}
	}

	private List<Object> array() {
		List<Object> list = new ArrayList<>();
		at++;
		space();
		if (peek(']')) {
			at++;
			return list;
		}
		while (true) {
			list.add(value());
			space();
			if (peek(',')) {
				at++;
			} else {
				expect(']');
				return list;
			}
		}
	}

	private String string() {
		StringBuilder out = new StringBuilder();
		at++;
		while (true) {
			if (at >= text.length()) {
				throw error("the closing quote of a string");
			}
			char c = text.charAt(at++);
			if (c == '"') {
				return out.toString();
			}
			if (c != '\\') {
				out.append(c);
				continue;
			}
			if (at >= text.length()) {
				throw error("an escaped character");
			}
			char escaped = text.charAt(at++);
			switch (escaped) {
				case '"', '\\', '/' -> out.append(escaped);
				case 'b' -> out.append('\b');
				case 'f' -> out.append('\f');
				case 'n' -> out.append('\n');
				case 'r' -> out.append('\r');
				case 't' -> out.append('\t');
				case 'u' -> {
					if (at + 4 > text.length()) {
						throw error("four hex digits");
					}
					out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
					at += 4;
				}
				default -> throw error("an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
			}
		}
	}

	private Object number() {
		int start = at;
		while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
			at++;
		}
		String digits = text.substring(start, at);
		try {
			BigDecimal number = new BigDecimal(digits);
			if (number.scale() <= 0 && digits.indexOf('.') < 0 && digits.indexOf('e') < 0 && digits.indexOf('E') < 0) {
				return number.longValueExact();
			}
			return number;
		} catch (ArithmeticException | NumberFormatException e) {
			at = start;
			throw error("a number");
		}
	}

	private Object literal(String word, Object value) {
		if (!text.startsWith(word, at)) {
			throw error("a value");
		}
		at += word.length();
		return value;
	}

	private void space() {
		while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
			at++;
		}
	}

	private boolean peek(char c) {
		return at < text.length() && text.charAt(at) == c;
	}

	private void expect(char c) {
		if (!peek(c)) {
			throw error("'" + c + "'");
		}
		at++;
	}

	private IllegalArgumentException error(String expected) {
		String near = text.substring(Math.max(0, at - 20), Math.min(text.length(), at + 20)).replace('\n', ' ');
		return new IllegalArgumentException("invalid JSON at offset " + at + ": expected " + expected + " near \"" + near
				+ "\"");
	}
}
