package io.tracepackets.internal.junit;

import io.tracepackets.TracingUnavailableException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Test fixture: the messages the extension builds itself (a skip's reason, a strict failure, a
 * failure naming its trace files, a bad setting), for tests outside this package that compare them
 * with the docs.
 */
public final class ExtensionMessages {

	private ExtensionMessages() {
	}

	/** The reason a test that cannot trace is skipped with. */
	public static String skip(TracingUnavailableException failure) {
		return TracePacketsExtension.skipReason(failure);
	}

	/** The message of a test that cannot trace, in strict mode. */
	public static String strict(TracingUnavailableException failure) {
		return TracePacketsExtension.strictFailure(failure).getMessage();
	}

	/** {@code failure} as a failed test shows it when its trace files went to {@code pcapng} and {@code jsonLines}. */
	public static AssertionError withEvidence(AssertionError failure, Path pcapng, Path jsonLines) {
		return Evidence.naming(failure, new Evidence.Files(Optional.of(jsonLines), Optional.of(pcapng), List.of()));
	}

	/**
	 * The error the settings get from {@code parameters} (JUnit configuration parameters), without
	 * an annotation; null when they resolve.
	 */
	public static RuntimeException badSetting(Map<String, String> parameters) {
		try {
			TraceSettings.resolve(Optional.empty(), new TraceSettings.Sources(key -> Optional.ofNullable(parameters
					.get(key)), key -> Optional.empty(), name -> Optional.empty()));
			return null;
		} catch (RuntimeException e) {
			return e;
		}
	}
}
