package io.tracepackets.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracepackets.Backend;
import io.tracepackets.KernelTest;
import io.tracepackets.internal.bootcache.BootCache;
import io.tracepackets.internal.symbols.Kallsyms;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the running kernel: the first choice of a boot tries the backends and keeps their lasting
 * refusals; the next one, in a new cache instance as in the next JVM, comes to the same choice.
 */
@KernelTest
class BackendChoiceCacheKernelTest {

	private static final String OBJECT = "io/tracepackets/bpf/tracepackets.bpf.o";

	@TempDir
	Path directory;

	@Test
	void the_next_start_of_the_boot_makes_the_same_choice_from_what_the_first_kept() {
		String boot = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
		Kallsyms kallsyms = Kallsyms.load();
		BackendChoice first = new BackendChoice(OBJECT, () -> kallsyms, BootCache.in(directory, boot));

		// WHEN the first tracer of the boot chooses
		BackendSelection tried = first.choose(Backend.AUTO, null);

		// THEN each refusal that lasts is kept
		BootCache next = BootCache.in(directory, boot);
		for (Map.Entry<Backend, String> refusal : tried.refused().entrySet()) {
			if (BackendChoice.lasts(refusal.getValue())) {
				assertThat(next.get(first.cacheKey(refusal.getKey()))).as("%s", refusal.getKey()).hasValue(refusal.getValue());
			}
		}
		// AND the next tracer comes to the same backend, for the same reasons
		BackendSelection again = new BackendChoice(OBJECT, () -> kallsyms, next).choose(Backend.AUTO, null);
		assertThat(again.chosen()).isEqualTo(tried.chosen());
		assertThat(again.refused()).isEqualTo(tried.refused());
	}
}
