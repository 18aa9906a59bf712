package io.tracepackets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Test fixture: the main sources read as lines, for the ownership tests that look for what class
 * files cannot show (a switch on an enum, a string compared).
 */
final class SourceLines {

	private SourceLines() {
	}

	/** Every {@code .java} file below {@code root}, sorted. */
	static List<Path> javaFiles(Path root) {
		try (Stream<Path> files = Files.walk(root)) {
			return files.filter(file -> file.toString().endsWith(".java")).sorted().toList();
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** {@code file:line: text} of every line of {@code files} that {@code finds} holds for. */
	static List<String> matching(List<Path> files, Predicate<String> finds) {
		List<String> found = new ArrayList<>();
		for (Path file : files) {
			List<String> lines;
			try {
				lines = Files.readAllLines(file);
			} catch (IOException e) {
				throw new UncheckedIOException(e);
			}
			for (int i = 0; i < lines.size(); i++) {
				if (finds.test(lines.get(i))) {
					found.add(file + ":" + (i + 1) + ": " + lines.get(i).strip());
				}
			}
		}
		return found;
	}
}
