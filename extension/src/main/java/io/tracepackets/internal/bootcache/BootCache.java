package io.tracepackets.internal.bootcache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a JVM found out about the running kernel that holds until it reboots, kept in a file per
 * boot ({@code kernel-<boot id>.properties}) so that the next JVM need not find it out again: the
 * backends the kernel refuses, which took a cold start a good part of its time, and what its BTF
 * has that a start asks about. In the user's
 * cache directory ({@code $XDG_CACHE_HOME/tracepackets}, else {@code ~/.cache/tracepackets}).
 *
 * <p>Several JVMs may use the file at once: an update holds a lock file while it merges its entry
 * into what is on disk, and publishes the whole file by a rename, so a reader sees one version or
 * the next, never half of one. Where nothing can be written (a read-only home, none at all), only
 * the caching is lost: each JVM finds out again, as it did before, and says why at debug level.
 * The files of earlier boots are deleted by the first update of a boot.
 */
public final class BootCache {

	private static final Logger LOG = LoggerFactory.getLogger(BootCache.class);
	private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
	private static final String PREFIX = "kernel-";
	private static final String SUFFIX = ".properties";

	private static volatile BootCache shared;

	private final Path directory;
	private final String bootId;
	/** What the file held when first read, and what this JVM added since; guarded by this. */
	private Properties entries;
	/** Why nothing is written, once that is known; guarded by this. */
	private String unwritable;

	/**
	 * @param directory where the file goes (made when first written)
	 * @param bootId the running kernel's boot id; null: nothing is cached
	 */
	BootCache(Path directory, String bootId) {
		this.directory = directory;
		this.bootId = bootId;
	}

	/** The cache of the running kernel, in the user's cache directory. */
	public static BootCache shared() {
		BootCache cache = shared;
		if (cache == null) {
			synchronized (BootCache.class) {
				if (shared == null) {
					shared = new BootCache(defaultDirectory(), readBootId());
				}
				cache = shared;
			}
		}
		return cache;
	}

	/** A cache in {@code directory} for the boot {@code bootId} (null: nothing is kept): for tests. */
	public static BootCache in(Path directory, String bootId) {
		return new BootCache(directory, bootId);
	}

	/** {@code $XDG_CACHE_HOME/tracepackets}, else {@code ~/.cache/tracepackets}. */
	static Path defaultDirectory() {
		String xdg = System.getenv("XDG_CACHE_HOME");
		if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
			return Path.of(xdg, "tracepackets");
		}
		return Path.of(System.getProperty("user.home", "/nonexistent"), ".cache", "tracepackets");
	}

	private static String readBootId() {
		try {
			String id = Files.readString(BOOT_ID).strip();
			return id.matches("[0-9a-f-]{16,64}") ? id : null;
		} catch (IOException | RuntimeException e) {
			LOG.debug("no boot id ({}): nothing about the kernel is cached", e.toString());
			return null;
		}
	}

	/** The value this boot's file (or this JVM) holds for {@code key}. */
	public synchronized Optional<String> get(String key) {
		return Optional.ofNullable(entries().getProperty(key));
	}

	/**
	 * Keeps {@code value} for {@code key}, in this JVM and in the file. A failure to write is
	 * logged at debug level and otherwise ignored: the next JVM finds out again.
	 */
	public synchronized void put(String key, String value) {
		if (value.equals(entries().getProperty(key))) {
			return;
		}
		entries().setProperty(key, value);
		if (bootId == null || unwritable != null) {
			return;
		}
		// A file lock is the JVM's, not a thread's: instances of one JVM (tests make several) take turns first.
		synchronized (BootCache.class) {
			write();
		}
	}

	/** Merges this JVM's entries into the file under its lock, and publishes the result whole. */
	private void write() {
		try {
			Files.createDirectories(directory);
			try (FileChannel lockFile = FileChannel.open(directory.resolve(PREFIX + bootId + ".lock"),
					StandardOpenOption.CREATE, StandardOpenOption.WRITE);
					FileLock lock = lockFile.lock()) {
				// Another JVM may have added entries since this one read the file: keep them.
				Properties merged = read(file());
				merged.putAll(entries);
				Path temporary = Files.createTempFile(directory, PREFIX + bootId, ".tmp");
				try {
					try (OutputStream out = Files.newOutputStream(temporary)) {
						merged.store(out, "what TracePackets found out about the kernel of boot " + bootId
								+ "; deleted at the next boot's first update");
					}
					move(temporary, file());
				} finally {
					Files.deleteIfExists(temporary);
				}
				entries = merged;
			}
			deleteEarlierBoots();
		} catch (IOException | RuntimeException e) {
			unwritable = e.toString();
			LOG.debug("kernel facts not cached in {} ({}): the next JVM finds them out again", directory, unwritable);
		}
	}

	private Properties entries() {
		if (entries == null) {
			entries = bootId == null ? new Properties() : read(file());
		}
		return entries;
	}

	private Path file() {
		return directory.resolve(PREFIX + bootId + SUFFIX);
	}

	/** The file's entries; none when it is missing or unreadable (it is only a cache). */
	private static Properties read(Path file) {
		Properties properties = new Properties();
		try (InputStream in = Files.newInputStream(file)) {
			properties.load(in);
		} catch (NoSuchFileException e) {
			// nothing cached yet
		} catch (IOException | RuntimeException e) {
			LOG.debug("kernel facts cache {} unreadable ({}): ignored", file, e.toString());
			return new Properties();
		}
		return properties;
	}

	private static void move(Path from, Path to) throws IOException {
		try {
			Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		} catch (AtomicMoveNotSupportedException e) {
			Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
		}
	}

	/** The files of other boots: their kernels' facts will never hold again. */
	private void deleteEarlierBoots() {
		try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, PREFIX + "*")) {
			for (Path file : files) {
				String name = file.getFileName().toString();
				if (!name.startsWith(PREFIX + bootId) && (name.endsWith(SUFFIX) || name.endsWith(".lock"))) {
					Files.deleteIfExists(file);
				}
			}
		} catch (IOException | RuntimeException e) {
			LOG.debug("earlier boots' files in {} not deleted: {}", directory, e.toString());
		}
	}
}
