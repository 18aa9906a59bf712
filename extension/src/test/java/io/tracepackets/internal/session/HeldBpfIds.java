package io.tracepackets.internal.session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Test support: the BPF objects a process holds descriptors of, as its {@code /proc/<pid>/fdinfo} lists them. */
public final class HeldBpfIds {

	private HeldBpfIds() {
	}

	/**
	 * The BPF object ids ({@code prog_id}, {@code link_id}) of the descriptors process {@code pid} holds.
	 *
	 * @param pid the process; {@code ProcessHandle.current().pid()} for this JVM
	 * @param key {@code "prog_id"} or {@code "link_id"}
	 * @return the ids, sorted
	 * @throws IOException when the process's fdinfo cannot be listed
	 */
	public static Set<Integer> of(long pid, String key) throws IOException {
		Set<Integer> ids = new TreeSet<>();
		try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fdinfo"))) {
			for (Path fd : fds.toList()) {
				try {
					Files.readAllLines(fd).stream().filter(l -> l.startsWith(key + ":"))
							.forEach(l -> ids.add(Integer.parseInt(l.substring(key.length() + 1).strip())));
				} catch (IOException closedMeanwhile) {
					// a descriptor closed while listed holds nothing
				}
			}
		}
		return ids;
	}
}
