package io.tracepackets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test fixture: the messages the docs quote, each marked with {@code <!-- message: id -->}, read
 * so a test can compare them with what the code prints.
 *
 * <p>A marker alone on its line quotes the fenced code block right below it; a marker inside a
 * line (a table cell, a sentence) quotes the {@code `code span`} right before it. In a quote, {@code <name>}
 * and {@code ...} (or {@code …}) stand for the variable parts: any text. A code span is one line
 * of a table, so it is compared with the message's whitespace runs made single spaces; a block is
 * compared line for line.
 */
public final class DocMessages {

	/** The docs that quote messages, from the repository root. */
	public static final List<String> DOCS = List.of("README.md", "docs/troubleshooting.md", "docs/quickstart.md",
			"docs/evidence.md", "docs/ci.md");

	private static final Pattern MARKER = Pattern.compile("<!-- message: ([a-z0-9][a-z0-9-]*) -->");
	private static final Pattern FENCE = Pattern.compile("^\\s*(`{3,})");
	/** {@code <name>}, {@code <kernel's errno>}, {@code <table> <chain>}: a placeholder, not {@code <-} or {@code < 5}. */
	private static final Pattern VARIABLE = Pattern.compile("<[A-Za-z][^<>]*>|\\.\\.\\.|…");

	/**
	 * One quoted message.
	 *
	 * @param where the doc and line of the marker, e.g. {@code docs/troubleshooting.md:212}
	 * @param text the quote as the doc has it, placeholders included
	 * @param block true for a fenced block, false for a code span
	 */
	public record Quote(String where, String text, boolean block) {

		/** Whether the quote has placeholders, or is a message word for word. */
		public boolean hasVariables() {
			return VARIABLE.matcher(text).find();
		}

		/** {@code message} as the quote compares it: whitespace runs made single spaces for a code span. */
		public String normalized(String message) {
			return block ? stripLineEnds(message) : message.strip().replaceAll("\\s+", " ");
		}

		/** Whether {@code message} is what this quote shows, its variable parts any text. */
		public boolean matches(String message) {
			return pattern().matcher(normalized(message)).matches();
		}

		/** Whether some part of {@code message} is what this quote shows: for a quote of a message's lines. */
		public boolean occursIn(String message) {
			return pattern().matcher(normalized(message)).find();
		}

		private Pattern pattern() {
			String quoted = block ? stripLineEnds(text) : text.strip().replaceAll("\\s+", " ");
			StringBuilder regex = new StringBuilder();
			Matcher variable = VARIABLE.matcher(quoted);
			int last = 0;
			while (variable.find()) {
				String literal = quoted.substring(last, variable.start());
				last = variable.end();
				if (block || variable.group().startsWith("<")) {
					regex.append(Pattern.quote(literal)).append(".*?");
					continue;
				}
				// In a line, " ... " stands for any text between two words, a line break and nothing included.
				boolean spaceBefore = literal.endsWith(" ");
				boolean spaceAfter = last < quoted.length() && quoted.charAt(last) == ' ';
				regex.append(Pattern.quote(spaceBefore ? literal.substring(0, literal.length() - 1) : literal));
				regex.append(spaceBefore && spaceAfter ? "(?: | .*? )" : spaceBefore ? "(?: .*)?" : spaceAfter
						? "(?:.*? )?" : ".*?");
				if (spaceAfter) {
					last++;
				}
			}
			regex.append(Pattern.quote(quoted.substring(last)));
			return Pattern.compile(regex.toString(), Pattern.DOTALL);
		}
	}

	private DocMessages() {
	}

	/** Every quote of {@link #DOCS} by id; a duplicate id fails. */
	public static Map<String, Quote> read(Path root) {
		Map<String, Quote> quotes = new LinkedHashMap<>();
		for (String doc : DOCS) {
			List<String> lines;
			try {
				lines = Files.readAllLines(root.resolve(doc));
			} catch (IOException e) {
				throw new UncheckedIOException(e);
			}
			for (int i = 0; i < lines.size(); i++) {
				Matcher marker = MARKER.matcher(lines.get(i));
				while (marker.find()) {
					String where = doc + ":" + (i + 1);
					Quote quote = lines.get(i).strip().equals(marker.group()) ? block(lines, i + 1, where)
							: span(lines.get(i).substring(0, marker.start()), where);
					Quote before = quotes.put(marker.group(1), quote);
					if (before != null) {
						throw new IllegalStateException(where + ": message '" + marker.group(1) + "' also quoted at "
								+ before.where());
					}
				}
			}
		}
		return quotes;
	}

	private static Quote block(List<String> lines, int first, String where) {
		Matcher fence = first < lines.size() ? FENCE.matcher(lines.get(first)) : null;
		if (fence == null || !fence.find()) {
			throw new IllegalStateException(where + ": a message marker alone on its line must be right above a ``` block");
		}
		StringBuilder text = new StringBuilder();
		for (int i = first + 1; i < lines.size(); i++) {
			if (lines.get(i).strip().equals(fence.group(1))) {
				return new Quote(where, text.toString(), true);
			}
			text.append(lines.get(i)).append('\n');
		}
		throw new IllegalStateException(where + ": the quoted block is never closed");
	}

	private static Quote span(String before, String where) {
		int close = before.stripTrailing().endsWith("`") ? before.stripTrailing().length() - 1 : -1;
		int open = close < 0 ? -1 : before.lastIndexOf('`', close - 1);
		if (open < 0) {
			throw new IllegalStateException(where + ": no `code span` right before the message marker");
		}
		// In a table, | inside a code span is written \|.
		return new Quote(where, before.substring(open + 1, close).replace("\\|", "|"), false);
	}

	private static String stripLineEnds(String text) {
		return text.lines().map(String::stripTrailing).reduce((a, b) -> a + "\n" + b).orElse("").strip() + "\n";
	}
}
