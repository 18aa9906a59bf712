package io.tracepackets.assertj.error;

import io.tracepackets.KernelCounts;
import io.tracepackets.PacketTrace;
import io.tracepackets.TracedNamespace;
import java.util.List;
import java.util.Locale;
import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * Messages about the kernel's exact counts ({@link PacketTrace#counts()}): what was expected,
 * what the kernel counted, and every count of the trace's scope, so that a drop counted elsewhere
 * shows where it went. They say whether the trace lost events, and that the counts did not.
 */
public final class CountsShould extends BasicErrorMessageFactory {

	private CountsShould(String format, Object... arguments) {
		super(format, arguments);
	}

	/**
	 * The count should compare to {@code expected} as {@code comparison} says.
	 *
	 * @param trace the trace, for its scope, backend and lost events
	 * @param counted what was counted, e.g. {@code "drops with reason NO_SOCKET"}
	 * @param comparison how it should compare, after "to be": {@code "exactly"}, {@code "at least"}
	 * @param expected the expected count
	 * @param actual the count the kernel has
	 * @param counts every count of the trace's scope, as read for the check
	 * @return the message, for {@code throwAssertionError}
	 */
	public static ErrorMessageFactory shouldHaveCount(PacketTrace trace, String counted, String comparison,
			long expected, long actual, KernelCounts counts) {
		return new CountsShould("%nExpecting the kernel's count of:%n  %s%nto be %s:%n  %s%nbut it counted:%n  %s%n%s",
				unquotedString(counted), unquotedString(comparison), unquotedString(Long.toString(expected)),
				unquotedString(Long.toString(actual)), unquotedString(breakdown(trace, counts)));
	}

	/**
	 * Every event should have been counted: the kernel's count map was full, so the counts are short.
	 *
	 * @param trace the trace, for its scope and backend
	 * @param counted what the assertion counted, e.g. {@code "drops with reason NO_SOCKET"}
	 * @param counts the counts, whose {@link KernelCounts#uncounted()} is above 0
	 * @return the message, for {@code throwAssertionError}
	 */
	public static ErrorMessageFactory shouldHaveCountedEveryEvent(PacketTrace trace, String counted,
			KernelCounts counts) {
		return new CountsShould("%nExpecting the kernel to have counted every event, to tell the count of:%n  %s%n"
				+ "but it could not count %s events: its count map (one entry per namespace, probe, and drop reason"
				+ " and location) was full.%nScope fewer namespaces (allNamespaces = true counts every namespace of the"
				+ " machine), or probe fewer functions.%n%s",
				unquotedString(counted), unquotedString(Long.toString(counts.uncounted())),
				unquotedString(breakdown(trace, counts)));
	}

	/** Every count of the scope, then whether events were lost, then the scope. */
	static String breakdown(PacketTrace trace, KernelCounts counts) {
		String nl = System.lineSeparator();
		StringBuilder text = new StringBuilder("Counted in the kernel in the trace's scope since it opened (exact: every"
				+ " event the probes saw, whatever the ring buffer kept):").append(nl);
		counts.toString().lines().forEach(line -> text.append("  ").append(line).append(nl));
		long lost = trace.lostEvents() - trace.skippedProbeRuns();
		if (lost > 0) {
			text.append(String.format(Locale.ROOT, "The trace lost %,d events (the ring buffer or the event store was"
					+ " full); the counts lost none.", lost)).append(nl);
		}
		List<String> labels = trace.namespaces().stream().map(TracedNamespace::label).toList();
		text.append("Counted in netns ").append(trace.scopesEveryNamespace() ? "(every namespace)"
				: labels.isEmpty() ? "(none: scope the trace to a container or netns)" : String.join(", ", labels))
				.append(" with the ").append(trace.probes().backend()).append(" backend.");
		return text.toString();
	}
}
