package io.tracepackets;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.internal.drops.DropReasonTable;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What a drop reason means is decided in one package, io.tracepackets.internal.drops, from its
 * tables (drop-reasons.tsv, drop-locations.tsv, drop-culprits.tsv). ArchUnit sees neither a
 * string compared nor a switch on one, so this reads the sources: a branch on a reason, or a
 * reason's name written as a string, elsewhere would be the split drop knowledge back (issue 18).
 * The public {@link DropReason} names its constants, and comments may name any reason.
 */
class DropOwnershipTest {

	private static final Path MAIN = Path.of("src/main/java");
	private static final Path OWNER = MAIN.resolve("io/tracepackets/internal/drops");
	/** The public constants: their names are the kernel's. */
	private static final Path CONSTANTS = MAIN.resolve("io/tracepackets/DropReason.java");

	/** A branch on an event's reason: compared, switched on, or a constant compared with it. */
	private static final Pattern BRANCH = Pattern.compile("dropReason\\(\\)(?:\\.name\\(\\))?\\.equals\\("
			+ "|\\.equals\\([\\w.]*dropReason\\(\\)(?:\\.name\\(\\))?\\)"
			+ "|\\bswitch\\s*\\([^)]*dropReason\\(\\)"
			+ "|==\\s*DropReason\\.|DropReason\\.[A-Z][A-Z0-9_]*\\.equals\\(");
	/** A string literal, to be checked against the reasons' names. */
	private static final Pattern LITERAL = Pattern.compile("\"([A-Z][A-Z0-9_]*)\"");
	/** A line that is a comment, where naming a reason explains, not decides. */
	private static final Pattern COMMENT = Pattern.compile("^\\s*(?://|/?\\*)");

	@Test
	void no_code_outside_the_drop_package_branches_on_a_drop_reason() {
		assertThat(matches(outside(), line -> BRANCH.matcher(line).find()))
				.as("what a reason means is a row of internal/drops' tables, asked of DropReasonTable or CulpritTable")
				.isEmpty();
	}

	@Test
	void no_code_outside_the_drop_package_names_a_drop_reason() {
		Set<String> reasons = DropReasonTable.load().names();
		assertThat(matches(outside(), line -> LITERAL.matcher(line).results().anyMatch(r -> reasons.contains(r.group(1)))))
				.as("a reason's name in code outside internal/drops (and DropReason's constants)").isEmpty();
	}

	@Test
	void the_scan_sees_what_it_forbids() {
		// The forms the code had before one package owned the drops.
		assertThat(BRANCH.matcher("return reason.equals(\"NETFILTER_DROP\") || event.dropReason().name().equals(x)").find())
				.isTrue();
		assertThat(BRANCH.matcher("return switch (event.dropReason().name()) {").find()).isTrue();
		assertThat(BRANCH.matcher("if (DropReason.XDP.equals(drop.dropReason())) {").find()).isTrue();
		assertThat(BRANCH.matcher("drop.dropReason() == null ? \"XDP_DROP\" : drop.dropReason().name()").find()).isFalse();
		assertThat(LITERAL.matcher("case \"TC_INGRESS\" -> \"ingress\";").find()).isTrue();
		assertThat(DropReasonTable.load().names()).contains("TC_INGRESS", "NETFILTER_DROP").doesNotContain("XDP_DROP");
		assertThat(COMMENT.matcher("	 * e.g. {@code \"NO_SOCKET\"}").find()).isTrue();
		assertThat(sources()).contains(CONSTANTS).anyMatch(file -> file.startsWith(OWNER));
	}

	private static List<Path> outside() {
		return sources().stream().filter(file -> !file.startsWith(OWNER) && !file.equals(CONSTANTS)).toList();
	}

	private static List<Path> sources() {
		return SourceLines.javaFiles(MAIN);
	}

	/** {@code file:line: text} of every code line (not a comment) that {@code finds} holds for. */
	private static List<String> matches(List<Path> files, Predicate<String> finds) {
		return SourceLines.matching(files, line -> !COMMENT.matcher(line).find() && finds.test(line));
	}
}
