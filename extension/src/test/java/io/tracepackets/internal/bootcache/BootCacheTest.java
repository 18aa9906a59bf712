package io.tracepackets.internal.bootcache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The boot's cache file: shared by the JVMs of one boot, forgotten at the next, optional where nothing can be written. */
class BootCacheTest {

	private static final String BOOT = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
	private static final String NEXT_BOOT = "11111111-2222-3333-4444-555555555555";

	@TempDir
	Path directory;

	@Test
	void what_one_jvm_found_out_the_next_one_of_the_same_boot_reads() {
		BootCache.in(directory, BOOT).put("backend.fentry.refused.1a2b", "load BPF object tp_probe: EPERM (lockdown)");

		assertThat(BootCache.in(directory, BOOT).get("backend.fentry.refused.1a2b"))
				.hasValue("load BPF object tp_probe: EPERM (lockdown)");
		assertThat(BootCache.in(directory, BOOT).get("backend.kprobe.refused.1a2b")).isEmpty();
	}

	@Test
	void the_next_boot_finds_nothing_and_its_first_entry_deletes_the_earlier_boots_file() throws IOException {
		BootCache.in(directory, BOOT).put("btf.func.bpf_cast_to_kern_ctx", "true");

		BootCache next = BootCache.in(directory, NEXT_BOOT);
		assertThat(next.get("btf.func.bpf_cast_to_kern_ctx")).isEmpty();
		next.put("btf.func.bpf_cast_to_kern_ctx", "false");

		assertThat(files()).containsExactlyInAnyOrder("kernel-" + NEXT_BOOT + ".properties", "kernel-" + NEXT_BOOT + ".lock");
	}

	@Test
	void jvms_writing_at_once_lose_no_entry_and_leave_a_whole_file() throws Exception {
		// GIVEN eight writers of the same boot (each its own instance, as separate JVMs are), started together
		int writers = 8;
		CountDownLatch start = new CountDownLatch(1);
		List<Thread> threads = new ArrayList<>();
		for (int i = 0; i < writers; i++) {
			int writer = i;
			threads.add(Thread.ofPlatform().start(() -> {
				try {
					start.await();
				} catch (InterruptedException e) {
					return;
				}
				BootCache cache = BootCache.in(directory, BOOT);
				for (int entry = 0; entry < 5; entry++) {
					cache.put("writer." + writer + "." + entry, "value " + writer + " " + entry);
				}
			}));
		}
		// WHEN they write
		start.countDown();
		for (Thread thread : threads) {
			thread.join();
		}

		// THEN the file parses, and holds every entry of every writer
		Properties file = new Properties();
		try (InputStream in = Files.newInputStream(directory.resolve("kernel-" + BOOT + ".properties"))) {
			file.load(in);
		}
		assertThat(file).hasSize(writers * 5);
		assertThat(BootCache.in(directory, BOOT).get("writer.7.4")).hasValue("value 7 4");
		assertThat(files()).as("no temporary file left").allMatch(name -> !name.endsWith(".tmp"));
	}

	@Test
	void where_nothing_can_be_written_the_value_is_kept_for_this_jvm_only() throws IOException {
		// GIVEN a cache directory that cannot be made (a file stands where its parent should be)
		Path notADirectory = Files.writeString(directory.resolve("file"), "x");
		BootCache cache = BootCache.in(notADirectory.resolve("tracepackets"), BOOT);

		// WHEN a value is put
		cache.put("backend.kprobe.refused.1a2b", "ENOENT");

		// THEN this JVM has it, nothing failed, and the next JVM finds out again
		assertThat(cache.get("backend.kprobe.refused.1a2b")).hasValue("ENOENT");
		assertThat(BootCache.in(notADirectory.resolve("tracepackets"), BOOT).get("backend.kprobe.refused.1a2b")).isEmpty();
	}

	@Test
	void without_a_boot_id_nothing_is_written() throws IOException {
		BootCache cache = BootCache.in(directory, null);

		cache.put("backend.kprobe.refused.1a2b", "ENOENT");

		assertThat(cache.get("backend.kprobe.refused.1a2b")).hasValue("ENOENT");
		assertThat(files()).isEmpty();
	}

	@Test
	void the_default_directory_is_the_users_cache_directory() {
		assertThat(BootCache.defaultDirectory().toString()).endsWith("tracepackets");
		assertThat(BootCache.defaultDirectory().isAbsolute()).isTrue();
	}

	private List<String> files() throws IOException {
		try (Stream<Path> files = Files.list(directory)) {
			return files.map(file -> file.getFileName().toString()).toList();
		}
	}
}
