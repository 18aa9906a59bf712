package io.tracepackets.internal.symbols;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The kernel functions a probe can be attached to, to reject a misspelled or non-probeable name
 * before the kernel does (with a did-you-mean), and to say where that knowledge came from.
 *
 * <p>The exact list is ftrace's {@code available_filter_functions}; it is unreadable without tracefs
 * (or, on some hosts, gives EPERM), and then kallsyms' text symbols stand in: a superset, as it also
 * lists notrace and inlined-away-but-emitted functions.
 */
public final class TraceableFunctions {

	/** Where the list came from. */
	public enum Source {
		/** ftrace's {@code available_filter_functions}: exactly what kprobes/fentry accept. */
		AVAILABLE_FILTER_FUNCTIONS,
		/** kallsyms text symbols: a superset, used when tracefs is not readable. */
		KALLSYMS
	}

	static final List<Path> FILTER_FUNCTION_FILES = List.of(
			Path.of("/sys/kernel/tracing/available_filter_functions"),
			Path.of("/sys/kernel/debug/tracing/available_filter_functions"));

	/** ftrace lists addresses it could not resolve under this name; they are not functions. */
	private static final String INVALID_ADDRESS_PREFIX = "__ftrace_invalid_address__";

	private final Set<String> names;
	private final Source source;
	private final String description;

	private TraceableFunctions(Set<String> names, Source source, String description) {
		this.names = Collections.unmodifiableSet(names);
		this.source = source;
		this.description = description;
	}

	/** The running kernel's traceable functions: ftrace's list if readable, else kallsyms (loaded on demand). */
	public static TraceableFunctions load() {
		return load(FILTER_FUNCTION_FILES, Kallsyms::load);
	}

	/** Like {@link #load()}, falling back on already loaded {@code kallsyms}. */
	public static TraceableFunctions load(Kallsyms kallsyms) {
		return load(FILTER_FUNCTION_FILES, () -> kallsyms);
	}

	/** Like {@link #load()}, falling back on {@code kallsyms}, asked only if ftrace's list is unreadable. */
	public static TraceableFunctions load(Supplier<Kallsyms> kallsyms) {
		return load(FILTER_FUNCTION_FILES, kallsyms);
	}

	static TraceableFunctions load(List<Path> filterFunctionFiles, Supplier<Kallsyms> kallsyms) {
		List<String> failures = new ArrayList<>();
		for (Path file : filterFunctionFiles) {
			try (BufferedReader reader = Files.newBufferedReader(file)) {
				TraceableFunctions functions = fromAvailableFilterFunctions(reader, file.toString());
				if (!functions.names.isEmpty()) {
					return functions;
				}
				failures.add(file + ": empty (ftrace disabled?)");
			} catch (IOException | UncheckedIOException e) {
				failures.add(file + ": " + describe(e));
			}
		}
		return fromKallsyms(kallsyms.get(), String.join("; ", failures));
	}

	private static String describe(Exception e) {
		Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
		String message = cause.getMessage();
		String kind = cause.getClass().getSimpleName();
		return message == null ? kind : kind + " (" + message + ")";
	}

	/** Parses {@code available_filter_functions} text: {@code name} or {@code name [module]} per line. */
	public static TraceableFunctions fromAvailableFilterFunctions(Reader text, String origin) {
		BufferedReader reader = text instanceof BufferedReader buffered ? buffered : new BufferedReader(text);
		Set<String> names = new LinkedHashSet<>();
		try {
			for (String line = reader.readLine(); line != null; line = reader.readLine()) {
				int end = 0;
				while (end < line.length() && !Character.isWhitespace(line.charAt(end))) {
					end++;
				}
				String name = line.substring(0, end);
				if (!name.isEmpty() && !name.startsWith(INVALID_ADDRESS_PREFIX)) {
					names.add(name);
				}
			}
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return new TraceableFunctions(names, Source.AVAILABLE_FILTER_FUNCTIONS, Objects.requireNonNull(origin));
	}

	/** The function names of {@code kallsyms}, noting why ftrace's list was not used. */
	public static TraceableFunctions fromKallsyms(Kallsyms kallsyms, String whyNotFtrace) {
		String description = "/proc/kallsyms text symbols"
				+ (whyNotFtrace == null || whyNotFtrace.isEmpty() ? "" : " (available_filter_functions unreadable: " + whyNotFtrace + ")");
		return new TraceableFunctions(new LinkedHashSet<>(kallsyms.functionNames()), Source.KALLSYMS, description);
	}

	/** Whether a probe can be attached to {@code function} (as far as the source knows). */
	public boolean contains(String function) {
		return names.contains(function);
	}

	/** All the names. */
	public Set<String> names() {
		return names;
	}

	/** Which kind of source the names came from. */
	public Source source() {
		return source;
	}

	/** The source in words, with why a better one was not used, for log and failure messages. */
	public String sourceDescription() {
		return description;
	}

	/** Up to {@code max} known names close to {@code wanted}, best first; see {@link NearestNames}. */
	public List<String> suggest(String wanted, int max) {
		return NearestNames.suggest(wanted, names, max);
	}

	@Override
	public String toString() {
		return "TraceableFunctions[" + names.size() + " from " + description + "]";
	}
}
