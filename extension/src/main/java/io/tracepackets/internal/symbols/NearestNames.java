package io.tracepackets.internal.symbols;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Did-you-mean suggestions for a misspelled kernel function or tracepoint name ({@code ip_ouput} →
 * {@code ip_output}), fast enough to run over all ~100k kallsyms names when an attach fails.
 *
 * <p>A known name is suggested if it is within a small edit distance (optimal string alignment:
 * insertions, deletions, substitutions and swaps of adjacent characters, ignoring case), or if it
 * contains what was asked (a partial name like {@code hook_slow}). Close edits come first, then names
 * starting with the wanted text, then other containing names; ties go to the name nearer in length,
 * then alphabetically, so the order is deterministic.
 */
public final class NearestNames {

	/** Below this length, containing the wanted text says too little to be a suggestion. */
	private static final int MIN_SUBSTRING_LENGTH = 3;

	private NearestNames() {
	}

	private record Candidate(String name, int distance, boolean prefix, int lengthDifference) {
	}

	private static final Comparator<Candidate> BEST_FIRST = Comparator.comparingInt(Candidate::distance)
			.thenComparing(c -> !c.prefix())
			.thenComparingInt(Candidate::lengthDifference)
			.thenComparing(Candidate::name);

	/**
	 * Up to {@code max} names of {@code known} close to {@code wanted}, best first; never
	 * {@code wanted} itself.
	 */
	public static List<String> suggest(String wanted, Collection<String> known, int max) {
		if (max <= 0 || wanted.isEmpty()) {
			return List.of();
		}
		String target = wanted.toLowerCase(Locale.ROOT);
		int limit = maxDistance(target.length());
		// Containing-only matches rank after every edit match.
		int substringDistance = limit + 1;
		char[] a = target.toCharArray();
		Scratch scratch = new Scratch();
		List<Candidate> candidates = new ArrayList<>();
		Set<String> seen = new HashSet<>();
		for (String name : known) {
			if (name.equals(wanted)) {
				continue;
			}
			// Returns the same instance when already lower case, which kernel names almost always are.
			String candidate = name.toLowerCase(Locale.ROOT);
			int lengthDifference = Math.abs(candidate.length() - a.length);
			int distance = lengthDifference <= limit ? distance(a, candidate, limit, scratch) : limit + 1;
			if (distance > limit) {
				if (a.length < MIN_SUBSTRING_LENGTH || !candidate.contains(target)) {
					continue;
				}
				distance = substringDistance;
			}
			if (seen.add(name)) {
				candidates.add(new Candidate(name, distance, candidate.startsWith(target), lengthDifference));
			}
		}
		candidates.sort(BEST_FIRST);
		return candidates.stream().limit(max).map(Candidate::name).toList();
	}

	/** Edits tolerated: one typo in short names, up to three in long ones. */
	static int maxDistance(int length) {
		return length <= 4 ? 1 : length <= 9 ? 2 : 3;
	}

	/**
	 * Optimal-string-alignment distance between {@code a} and {@code b}, or {@code limit + 1} as soon
	 * as it is certain to exceed {@code limit}. Only the diagonal band of width {@code 2 * limit + 1}
	 * is computed (cells off it are already above the limit), and a row wholly above the limit ends
	 * the work early: that is what makes scanning 100k names cheap.
	 */
	static int distance(char[] a, String b, int limit, Scratch scratch) {
		int la = a.length;
		int lb = b.length();
		int over = limit + 1;
		if (Math.abs(la - lb) > limit) {
			return over;
		}
		if (!scratch.closeEnoughByLetters(a, b, limit)) {
			return over;
		}
		scratch.ensure(lb + 2);
		int[] before = scratch.before;
		int[] previous = scratch.previous;
		int[] current = scratch.current;
		for (int j = 0; j <= lb; j++) {
			previous[j] = Math.min(j, over);
		}
		for (int i = 1; i <= la; i++) {
			char ai = a[i - 1];
			int low = Math.max(1, i - limit);
			int high = Math.min(lb, i + limit);
			current[low - 1] = low == 1 ? Math.min(i, over) : over;
			int rowMin = current[low - 1];
			for (int j = low; j <= high; j++) {
				char bj = b.charAt(j - 1);
				int value = Math.min(Math.min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + (ai == bj ? 0 : 1));
				if (i > 1 && j > 1 && ai == b.charAt(j - 2) && a[i - 2] == bj) {
					value = Math.min(value, before[j - 2] + 1);
				}
				value = Math.min(value, over);
				current[j] = value;
				rowMin = Math.min(rowMin, value);
			}
			if (high < lb) {
				current[high + 1] = over; // read as "above" by the next row, which reaches one further
			}
			if (rowMin > limit) {
				return over;
			}
			int[] recycled = before;
			before = previous;
			previous = current;
			current = recycled;
		}
		return previous[lb];
	}

	/** Rows of the distance table, reused across the names of one search. */
	static final class Scratch {

		int[] before = new int[64];
		int[] previous = new int[64];
		int[] current = new int[64];
		/** Letter counts of the wanted name minus those of a candidate, all zero between uses. */
		private final int[] letters = new int[128];

		/**
		 * A cheap lower bound first: each edit adds or removes at most one letter on each side, so
		 * more than {@code limit} letters of one name missing from the other rules it out.
		 */
		boolean closeEnoughByLetters(char[] a, String b, int limit) {
			for (char c : a) {
				letters[c & 127]++;
			}
			for (int j = 0; j < b.length(); j++) {
				letters[b.charAt(j) & 127]--;
			}
			int surplus = 0;
			int deficit = 0;
			for (char c : a) {
				int n = letters[c & 127];
				if (n > 0) {
					surplus += n;
				}
				letters[c & 127] = 0;
			}
			for (int j = 0; j < b.length(); j++) {
				int n = letters[b.charAt(j) & 127];
				if (n < 0) {
					deficit -= n;
				}
				letters[b.charAt(j) & 127] = 0;
			}
			return surplus <= limit && deficit <= limit;
		}

		void ensure(int size) {
			if (previous.length < size) {
				before = new int[size * 2];
				previous = new int[size * 2];
				current = new int[size * 2];
			}
		}
	}
}
