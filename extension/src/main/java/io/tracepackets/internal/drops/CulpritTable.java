package io.tracepackets.internal.drops;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which kind of culprit a drop may have, by its reason and where the skb was freed, read from
 * {@code drop-culprits.tsv} beside this class: a netfilter rule ({@code NETFILTER_DROP}), the tc
 * program at a device's hook ({@code TC_INGRESS}/{@code TC_EGRESS}), or the XDP program whose
 * verdict a free in generic XDP's or veth's code follows. The file is the data to review; this
 * class only reads it and finds the first row that matches. Immutable.
 */
public final class CulpritTable {

	static final String RESOURCE = "drop-culprits.tsv";
	private static final String ANY = "*";
	private static final String NONE = "-";
	/** The one placeholder of the {@code none} column. */
	static final String DEVICE = "{dev}";

	/** The kinds of culprit, as the table's third column names them. */
	public enum Culprit {
		/** A netfilter rule or chain policy: its trace (nftrace) or its counters (iptables-legacy) name it. */
		NETFILTER("netfilter", List.of(NONE)),
		/** The tc program at the drop's hook of its device. */
		TC("tc", List.of("ingress", "egress")),
		/** The XDP program on the drop's device, in the mode given or in any. */
		XDP("xdp", List.of(NONE, "generic", "native"));

		private final String word;
		private final List<String> places;

		Culprit(String word, List<String> places) {
			this.word = word;
			this.places = places;
		}
	}

	/**
	 * One row.
	 *
	 * @param reasons the reasons it applies to; empty for any
	 * @param locations the drop locations' functions it applies to; empty for any
	 * @param culprit the kind of culprit
	 * @param at the tc hook ({@code ingress}, {@code egress}) or the XDP mode ({@code generic},
	 *     {@code native}); null for netfilter and for XDP in any mode
	 * @param none why a drop of this row was given no culprit, with {@value #DEVICE} for the
	 *     device; null for netfilter, whose rule tracing says why itself
	 */
	public record Row(Set<String> reasons, Set<String> locations, Culprit culprit, String at, String none) {

		/**
		 * Why a drop of this row on {@code device} was given no culprit.
		 *
		 * @param device the device's name; null when unknown
		 * @return one sentence; null for netfilter's rows
		 */
		public String whyNone(String device) {
			return none == null ? null : none.replace(DEVICE, device == null ? "the device" : device);
		}

		boolean matches(String reason, String location) {
			return (reasons.isEmpty() || reason != null && reasons.contains(reason))
					&& (locations.isEmpty() || location != null && locations.contains(location));
		}
	}

	private final List<Row> rows;

	private CulpritTable(List<Row> rows) {
		this.rows = List.copyOf(rows);
	}

	/** The table shipped with TracePackets (read once, then shared). */
	public static CulpritTable load() {
		return Shared.TABLE;
	}

	private static final class Shared {
		static final CulpritTable TABLE = parse(DropReasonTable.resourceLines(RESOURCE));
	}

	/**
	 * A table from the lines of a culprits file.
	 *
	 * @throws IllegalArgumentException naming the first malformed line
	 */
	static CulpritTable parse(List<String> lines) {
		List<Row> rows = new ArrayList<>();
		DropReasonTable.forEachRow(RESOURCE, lines, 5, (where, f) -> {
			Culprit culprit = culprit(where, f[2]);
			String at = DropReasonTable.text(where, "at", f[3]);
			if (!culprit.places.contains(at)) {
				throw new IllegalArgumentException(where + ": \"" + at + "\" is not a place of a " + culprit.word
						+ " culprit, one of " + culprit.places);
			}
			String none = DropReasonTable.text(where, "none", f[4]);
			if (none.equals(NONE) != (culprit == Culprit.NETFILTER)
					|| none.replace(DEVICE, "").indexOf('{') >= 0 || none.replace(DEVICE, "").indexOf('}') >= 0) {
				throw new IllegalArgumentException(where + ": the none column is - for netfilter alone, and else a"
						+ " sentence whose only placeholder is " + DEVICE);
			}
			rows.add(new Row(names(where, "reasons", f[0]), names(where, "locations", f[1]), culprit,
					at.equals(NONE) ? null : at, none.equals(NONE) ? null : none));
		});
		return new CulpritTable(rows);
	}

	/**
	 * The first row matching a drop.
	 *
	 * @param reason the drop's reason name, e.g. {@code "TC_INGRESS"}; null for none
	 * @param locationFunction the drop location's function without offset, e.g.
	 *     {@code "do_xdp_generic"}; null when unknown
	 * @return the row; empty for a drop that no rule or program made
	 */
	public Optional<Row> suspect(String reason, String locationFunction) {
		return rows.stream().filter(row -> row.matches(reason, locationFunction)).findFirst();
	}

	/** Every row, in the file's order. */
	public List<Row> rows() {
		return rows;
	}

	@Override
	public String toString() {
		return "CulpritTable[" + rows.size() + " rows]";
	}

	private static Culprit culprit(String where, String word) {
		for (Culprit culprit : Culprit.values()) {
			if (culprit.word.equals(word)) {
				return culprit;
			}
		}
		throw new IllegalArgumentException(where + ": \"" + word + "\" is not a culprit: netfilter, tc or xdp");
	}

	private static Set<String> names(String where, String column, String list) {
		String text = DropReasonTable.text(where, column, list);
		if (text.equals(ANY)) {
			return Set.of();
		}
		Set<String> names = Set.of(text.split(","));
		for (String name : names) {
			if (name.isBlank() || !name.equals(name.strip()) || name.equals(ANY)) {
				throw new IllegalArgumentException(where + ": the " + column + " \"" + text
						+ "\" is not * nor a comma-separated list of names");
			}
		}
		return names;
	}
}
