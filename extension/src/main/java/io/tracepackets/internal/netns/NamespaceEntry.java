package io.tracepackets.internal.netns;

import java.io.Closeable;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs commands inside a network namespace that this JVM cannot enter itself (no path to it opens
 * here: a container of an engine in another pid namespace). The tools run there, in a process that
 * shares the namespace, and only their output comes back: no socket made there reaches this JVM.
 * {@link NamespaceCommand} uses it where {@code nsenter} cannot go.
 */
public interface NamespaceEntry {

	/** How the namespace is entered, for messages, e.g. {@code "a helper container (image …)"}. */
	String how();

	/**
	 * Runs {@code command} there with {@code files} (path → content) put in place first.
	 *
	 * @return its standard output
	 * @throws io.tracepackets.TracePacketsException naming the command and its standard error when it fails
	 */
	String run(Map<String, byte[]> files, String... command);

	/**
	 * Starts {@code command} there, handing each line of its standard output to {@code lines} as
	 * it comes, until the returned handle is closed (which ends the command) or the command ends.
	 *
	 * @param ready a line the command prints once it is set up: this call returns after it
	 * @throws io.tracepackets.TracePacketsException when the command ends or fails before {@code ready}
	 */
	Closeable stream(String ready, Consumer<String> lines, String... command);
}
