package io.tracepackets.internal.netfilter;

import java.util.ArrayList;
import java.util.List;

/**
 * A command line's words as a POSIX shell splits them: at blanks, except inside single or double
 * quotes, and a backslash keeps the next character. An iptables rule is typed as a shell command's
 * arguments ({@code -m comment --comment "web tier"}), and the tool must get the words the shell
 * would have given it.
 */
final class ShellWords {

	private ShellWords() {
	}

	/**
	 * The words of {@code text}.
	 *
	 * @throws IllegalArgumentException naming the quote left open
	 */
	static List<String> split(String text) {
		List<String> words = new ArrayList<>();
		StringBuilder word = new StringBuilder();
		boolean inWord = false;
		char quote = 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (quote == '\'') {
				if (c == '\'') {
					quote = 0;
				} else {
					word.append(c);
				}
			} else if (quote == '"') {
				if (c == '"') {
					quote = 0;
				} else if (c == '\\' && i + 1 < text.length() && "\"\\$`".indexOf(text.charAt(i + 1)) >= 0) {
					word.append(text.charAt(++i));
				} else {
					word.append(c);
				}
			} else if (c == '\'' || c == '"') {
				quote = c;
				inWord = true;
			} else if (c == '\\' && i + 1 < text.length()) {
				word.append(text.charAt(++i));
				inWord = true;
			} else if (Character.isWhitespace(c)) {
				if (inWord) {
					words.add(word.toString());
					word.setLength(0);
					inWord = false;
				}
			} else {
				word.append(c);
				inWord = true;
			}
		}
		if (quote != 0) {
			throw new IllegalArgumentException("a shell would not read it either: its " + quote
					+ " quote is never closed");
		}
		if (inWord) {
			words.add(word.toString());
		}
		return words;
	}
}
