package io.tracepackets.internal.containers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import io.tracepackets.TracingUnavailableException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The image of the helper containers ({@link HelperContainer}): {@code FROM scratch} with this
 * machine's own network tools and their shared libraries, built through the engine's API on first
 * use. No registry is asked and nothing is pulled: the tools TracePackets already runs here
 * ({@code nft}, {@code iptables-*-save}, {@code tc}, {@code ip}) plus {@code socat} for traffic
 * and a shell, copied as they are, so the helper runs on any engine of this machine's architecture,
 * a job container's or Docker-in-Docker's. The tag carries a hash of every file, so a changed tool
 * makes a new image and an unchanged one is built once per engine.
 */
final class HelperImage {

	static final String REPOSITORY = "tracepackets/netns-helper";
	static final String LABEL = "io.tracepackets.helper";
	private static final List<String> BIN_DIRS = List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin");
	/** The shell and the tools the helper's scripts use: without them it cannot work at all. */
	private static final List<String> REQUIRED = List.of("sh", "cat", "readlink", "sleep");
	/** Tools of the features it serves: a missing one fails only that feature, saying so. */
	private static final List<String> OPTIONAL = List.of("nft", "tc", "ip", "socat");
	/** iptables' multi-call binaries and the names they answer to. */
	private static final Map<String, List<String>> MULTI = Map.of(
			"xtables-nft-multi", List.of("iptables-nft", "iptables-nft-save", "ip6tables-nft", "ip6tables-nft-save"),
			"xtables-legacy-multi", List.of("iptables-legacy", "iptables-legacy-save", "ip6tables-legacy",
					"ip6tables-legacy-save"));
	private static final Pattern LIBRARY = Pattern.compile("(?:=>\\s+)?(/\\S+)\\s+\\(0x");
	private static final Map<String, String> BUILT = new ConcurrentHashMap<>();

	private HelperImage() {
	}

	/**
	 * The helper image's tag on the engine of {@code client}, built there first if it is missing.
	 *
	 * @param engine a key for the engine (its host), so each engine builds once per JVM
	 * @throws TracingUnavailableException when this machine lacks the tools or the engine refuses the build
	 */
	static String on(DockerClient client, String engine) {
		return BUILT.computeIfAbsent(engine, key -> build(client));
	}

	private static String build(DockerClient client) {
		Map<String, Path> files = new TreeMap<>();
		Map<String, String> links = new TreeMap<>();
		List<String> missing = new ArrayList<>();
		for (String tool : REQUIRED) {
			Path found = find(tool);
			if (found == null) {
				missing.add(tool);
			} else {
				add(files, "/usr/bin/" + tool, found);
			}
		}
		if (!missing.isEmpty()) {
			throw unavailable("this machine has no " + String.join(", ", missing) + " to put in it (coreutils, dash)");
		}
		for (String tool : OPTIONAL) {
			Path found = find(tool);
			if (found != null) {
				add(files, "/usr/sbin/" + tool, found);
			}
		}
		MULTI.forEach((multi, names) -> {
			Path found = find(multi);
			if (found != null) {
				add(files, "/usr/sbin/" + multi, found);
				names.forEach(name -> links.put("/usr/sbin/" + name, multi));
			}
		});
		// iptables loads its matches and targets (-p udp, -j DROP) from these to print rules.
		for (String dir : List.of("/usr/lib/x86_64-linux-gnu/xtables", "/usr/lib/aarch64-linux-gnu/xtables",
				"/usr/lib64/xtables", "/usr/lib/xtables")) {
			try (var entries = Files.list(Path.of(dir))) {
				entries.filter(p -> p.toString().endsWith(".so")).forEach(p -> add(files, p.toString(), p));
			} catch (IOException e) {
				// not this distribution's layout
			}
		}
		for (String etc : List.of("/etc/protocols", "/etc/services")) {
			if (Files.isRegularFile(Path.of(etc))) {
				files.put(etc, Path.of(etc));
			}
		}
		for (Path binary : List.copyOf(files.values())) {
			for (String library : libraries(binary)) {
				files.putIfAbsent(library, Path.of(library));
			}
		}
		String dockerfile = "FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/sbin:/usr/bin:/sbin:/bin\n";
		byte[] context = context(files, links, dockerfile);
		String tag = REPOSITORY + ":" + hash(context).substring(0, 16);
		try {
			client.inspectImageCmd(tag).exec();
			return tag;
		} catch (NotFoundException absent) {
			// built below
		}
		try {
			client.buildImageCmd(new ByteArrayInputStream(context))
					.withTags(Set.of(tag))
					.withLabels(Map.of(LABEL, "netns"))
					.withPull(false)
					.start()
					.awaitImageId(120, TimeUnit.SECONDS);
		} catch (RuntimeException e) {
			throw unavailable("the engine did not build it (" + e.getMessage() + ")");
		}
		return tag;
	}

	/** The first executable {@code name} in the usual directories, with symlinks resolved. */
	private static Path find(String name) {
		for (String dir : BIN_DIRS) {
			Path candidate = Path.of(dir, name);
			if (Files.isExecutable(candidate)) {
				return candidate;
			}
		}
		return null;
	}

	private static void add(Map<String, Path> files, String at, Path from) {
		files.putIfAbsent(at, from);
	}

	/** The shared libraries {@code ldd} lists for {@code binary}, the loader included. */
	private static List<String> libraries(Path binary) {
		List<String> found = new ArrayList<>();
		try {
			Process ldd = new ProcessBuilder("ldd", binary.toString()).redirectErrorStream(true).start();
			String out = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			ldd.waitFor(10, TimeUnit.SECONDS);
			Matcher library = LIBRARY.matcher(out);
			while (library.find()) {
				found.add(library.group(1));
			}
		} catch (IOException e) {
			throw unavailable("ldd, which lists the libraries its tools need, cannot run here (" + e.getMessage()
					+ "): install libc-bin");
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		return found;
	}

	/** The build context: the Dockerfile and rootfs/ with each file's content, dereferenced. */
	private static byte[] context(Map<String, Path> files, Map<String, String> links, String dockerfile) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
			tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
			put(tar, "Dockerfile", dockerfile.getBytes(StandardCharsets.UTF_8), 0644);
			// Fixed order and times: the same tools give the same bytes, so the same tag.
			for (Map.Entry<String, Path> file : files.entrySet()) {
				put(tar, "rootfs" + file.getKey(), Files.readAllBytes(file.getValue()), 0755);
			}
			for (Map.Entry<String, String> link : links.entrySet()) {
				TarArchiveEntry entry = new TarArchiveEntry("rootfs" + link.getKey(), TarConstants.LF_SYMLINK);
				entry.setLinkName(link.getValue());
				entry.setModTime(0);
				tar.putArchiveEntry(entry);
				tar.closeArchiveEntry();
			}
			put(tar, "rootfs/tmp/.keep", new byte[0], 0644);
		} catch (IOException e) {
			throw unavailable("its files could not be read (" + e.getMessage() + ")");
		}
		return bytes.toByteArray();
	}

	static void put(TarArchiveOutputStream tar, String name, byte[] content, int mode) throws IOException {
		TarArchiveEntry entry = new TarArchiveEntry(name);
		entry.setSize(content.length);
		entry.setMode(mode);
		entry.setModTime(0);
		tar.putArchiveEntry(entry);
		tar.write(content);
		tar.closeArchiveEntry();
	}

	/** A tar of {@code files} (absolute path → content), to copy into a container at {@code /}. */
	static byte[] tar(Map<String, byte[]> files) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
			tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
			for (Map.Entry<String, byte[]> file : new TreeMap<>(files).entrySet()) {
				put(tar, file.getKey().replaceFirst("^/", ""), file.getValue(), 0644);
			}
		} catch (IOException e) {
			throw new IllegalStateException(e);
		}
		return bytes.toByteArray();
	}

	private static String hash(byte[] context) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(context));
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	private static TracingUnavailableException unavailable(String why) {
		return new TracingUnavailableException("the helper image " + REPOSITORY,
				"it is built from this machine's network tools through the engine, and " + why);
	}
}
