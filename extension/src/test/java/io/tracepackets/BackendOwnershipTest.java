package io.tracepackets;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Backend knowledge lives in one package, io.tracepackets.internal.backend: a class per function
 * backend, and BackendChoice for the choice. ArchUnit sees no switch (javac compiles a switch on
 * an enum into a synthetic lookup table), so this reads the sources: a switch on {@link Backend}
 * or a test of a backend constant elsewhere would be the scattering back.
 */
class BackendOwnershipTest {

	private static final Path MAIN = Path.of("src/main/java");
	private static final Path OWNER = MAIN.resolve("io/tracepackets/internal/backend");
	/** The public enum itself: its constants and their labels. */
	private static final Path ENUM = MAIN.resolve("io/tracepackets/Backend.java");

	/** A case label of a backend constant: only a switch on a Backend has those. */
	private static final Pattern CASE = Pattern.compile("\\bcase\\s+(?:Backend\\.)?(AUTO|KPROBE_MULTI|KPROBE|FENTRY|TRACEPOINT)\\b");
	/** A switch whose selector names a backend: {@code switch (backend)}, {@code switch (selection.chosen())}. */
	private static final Pattern SWITCH = Pattern.compile("\\bswitch\\s*\\(\\s*[\\w.]*(?i:backend|chosen|requested)[\\w.]*(?:\\(\\))?\\s*\\)");
	/** A function backend's constant named outside the owner: it would branch on which backend this is. */
	private static final Pattern CONSTANT = Pattern.compile("\\bBackend\\.(KPROBE_MULTI|KPROBE|FENTRY|TRACEPOINT)\\b"
			+ "|import\\s+static\\s+io\\.tracepackets\\.Backend\\.");
	/** A backend's label compared as a string: the same branch on which backend this is, in disguise. */
	private static final Pattern LABEL = Pattern.compile("\\.equals\\(\\s*\"(?:auto|kprobe-multi|kprobe|fentry|tracepoint)\"\\s*\\)"
			+ "|\"(?:auto|kprobe-multi|kprobe|fentry|tracepoint)\"\\.equals\\(");

	@Test
	void no_switch_on_the_backend_remains_anywhere() {
		assertThat(matches(sources(MAIN), CASE, SWITCH))
				.as("a backend's facts are methods of its class in internal/backend (FunctionBackend), not switch arms")
				.isEmpty();
	}

	@Test
	void only_the_backend_package_names_a_backend() {
		List<Path> outside = sources(MAIN).stream().filter(file -> !file.startsWith(OWNER) && !file.equals(ENUM))
				.toList();
		assertThat(matches(outside, CONSTANT, LABEL))
				.as("outside internal/backend, code asks the chosen FunctionBackend (or BackendSelection), it does not"
						+ " compare backends")
				.isEmpty();
	}

	@Test
	void the_scan_sees_what_it_forbids() {
		// The patterns must catch the forms the code had before the backends owned their facts.
		assertThat(CASE.matcher("case KPROBE_MULTI -> positions;").find()).isTrue();
		assertThat(SWITCH.matcher("return switch (backend) {").find()).isTrue();
		assertThat(SWITCH.matcher("String hint = switch (selection.chosen()) {").find()).isTrue();
		assertThat(CONSTANT.matcher("if (backend == Backend.FENTRY) {").find()).isTrue();
		assertThat(CONSTANT.matcher("if (Backend.TRACEPOINT.label().equals(backend)) {").find()).isTrue();
		assertThat(CONSTANT.matcher("Backend backend = Backend.AUTO;").find()).isFalse();
		assertThat(LABEL.matcher("if (backend.equals(\"tracepoint\")) {").find()).isTrue();
		assertThat(LABEL.matcher("\"kprobe-multi\".equals(chosen)").find()).isTrue();
		assertThat(LABEL.matcher("return \"a tracepoint\";").find()).isFalse();
		assertThat(sources(MAIN)).contains(ENUM).anyMatch(file -> file.startsWith(OWNER));
	}

	private static List<Path> sources(Path root) {
		return SourceLines.javaFiles(root);
	}

	/** {@code file:line: text} of every line that one of {@code patterns} finds in. */
	private static List<String> matches(List<Path> files, Pattern... patterns) {
		return SourceLines.matching(files, line -> Stream.of(patterns).anyMatch(pattern -> pattern.matcher(line).find()));
	}
}
