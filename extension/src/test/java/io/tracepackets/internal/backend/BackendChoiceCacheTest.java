package io.tracepackets.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracepackets.Backend;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.bootcache.BootCache;
import io.tracepackets.internal.symbols.Kallsyms;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The refusals a boot's first tracer found, read by the next ones instead of loading the object
 * again: which refusals last, and that a start with every candidate's refusal known neither loads
 * a program nor reads the kernel's symbols or functions.
 */
class BackendChoiceCacheTest {

	private static final String OBJECT = "io/tracepackets/bpf/tracepackets.bpf.o";
	private static final Supplier<Kallsyms> NOT_READ = () -> {
		throw new AssertionError("kallsyms was read");
	};

	@TempDir
	Path directory;

	@Test
	void what_the_kernel_or_the_process_cannot_do_lasts_what_failed_just_then_does_not() {
		assertThat(BackendChoice.lasts("attach kprobe_multi_skb_1 to 1 functions with kprobe-multi: EOPNOTSUPP"
				+ " (Operation not supported) (the kernel is built without CONFIG_FPROBE)")).isTrue();
		assertThat(BackendChoice.lasts("load BPF object tp_probe: EPERM (Operation not permitted)")).isTrue();
		assertThat(BackendChoice.lasts("attach kprobe_skb_1 to kprobe __netif_receive_skb: ENOENT (No such file")).isTrue();
		assertThat(BackendChoice.lasts("load BPF object tp_probe: ENOMEM (Cannot allocate memory)")).isFalse();
		assertThat(BackendChoice.lasts("attach kprobe_skb_1: EBUSY (Device or resource busy)")).isFalse();
		assertThat(BackendChoice.lasts("java.lang.IllegalStateException: something else")).isFalse();
	}

	@Test
	void with_every_refusal_known_auto_takes_tracepoints_without_trying_anything() {
		// GIVEN a boot's cache that knows every function backend's refusal (texts no kernel says)
		BootCache cache = BootCache.in(directory, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
		BackendChoice choice = new BackendChoice(OBJECT, NOT_READ, cache);
		cache.put(choice.cacheKey(Backend.KPROBE_MULTI), "cached: EOPNOTSUPP");
		cache.put(choice.cacheKey(Backend.FENTRY), "cached: EPERM");
		cache.put(choice.cacheKey(Backend.KPROBE), "cached: ENOENT");

		// WHEN AUTO chooses for the default functions
		BackendSelection selection = choice.choose(Backend.AUTO, null);

		// THEN tracepoints, with the cached refusals in order, and no function sought (kallsyms unread)
		assertThat(selection.chosen()).isEqualTo(Backend.TRACEPOINT);
		assertThat(selection.refused()).containsExactly(java.util.Map.entry(Backend.KPROBE_MULTI, "cached: EOPNOTSUPP"),
				java.util.Map.entry(Backend.FENTRY, "cached: EPERM"), java.util.Map.entry(Backend.KPROBE, "cached: ENOENT"));
		assertThat(selection.targets()).isNull();
		assertThat(selection.describe()).contains("no function backend is available on this kernel");
	}

	@Test
	void a_named_backend_whose_refusal_is_known_fails_with_it() {
		BootCache cache = BootCache.in(directory, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
		BackendChoice choice = new BackendChoice(OBJECT, NOT_READ, cache);
		cache.put(choice.cacheKey(Backend.FENTRY), "cached: EPERM");

		assertThatThrownBy(() -> choice.choose(Backend.FENTRY, null)).isInstanceOf(TracingUnavailableException.class)
				.hasMessageContaining("cached: EPERM");
	}

	@Test
	void another_build_of_the_object_or_other_privileges_have_entries_of_their_own() {
		BootCache cache = BootCache.in(directory, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
		BackendChoice choice = new BackendChoice(OBJECT, NOT_READ, cache);
		BackendChoice otherObject = new BackendChoice("io/tracepackets/bpf/socket_receive.bpf.o", NOT_READ, cache);

		assertThat(choice.cacheKey(Backend.FENTRY)).isNotEqualTo(otherObject.cacheKey(Backend.FENTRY))
				.isNotEqualTo(choice.cacheKey(Backend.KPROBE)).startsWith("backend.fentry.refused.");
	}
}
