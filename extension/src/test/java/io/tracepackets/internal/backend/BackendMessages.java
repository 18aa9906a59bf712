package io.tracepackets.internal.backend;

import io.tracepackets.Backend;
import io.tracepackets.internal.symbols.Kallsyms;
import java.util.List;

/** Test fixture: a backend's refusal as the detection words it, for tests outside this package that compare it with the docs. */
public final class BackendMessages {

	private BackendMessages() {
	}

	/** The refusal the detection records for {@code backend} when probing it failed with {@code error}. */
	public static String refusal(Backend backend, Exception error) {
		FunctionBackend candidate = switch (backend) {
			case KPROBE_MULTI -> new KprobeMultiBackend();
			case FENTRY -> new FentryBackend(Kallsyms.parse(List.of("ffffffff81000000 T _stext",
					"ffffffff82000000 T _etext")));
			case KPROBE -> new KprobeBackend();
			default -> throw new IllegalArgumentException(backend + " is no function backend");
		};
		return BackendChoice.explain(candidate, error.getMessage());
	}
}
