package io.tracepackets.internal.junit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.platform.engine.OutputDirectoryCreator;
import org.junit.platform.engine.TestDescriptor;

/** Where the engine test kit puts a nested test's published files: a folder per test under a root, as the launcher does it. */
final class OutputDirectories {

	private OutputDirectories() {
	}

	static OutputDirectoryCreator under(Path root) {
		return new OutputDirectoryCreator() {
			@Override
			public Path getRootDirectory() {
				return root;
			}

			@Override
			public Path createOutputDirectory(TestDescriptor test) throws IOException {
				return Files.createDirectories(root.resolve(test.getUniqueId().toString().replaceAll("[^A-Za-z0-9._-]", "_")));
			}
		};
	}
}
