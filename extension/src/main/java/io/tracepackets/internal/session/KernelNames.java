package io.tracepackets.internal.session;

import io.tracepackets.internal.btf.DropReasons;
import io.tracepackets.internal.symbols.Kallsyms;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's names a session needs to decode events and to word its messages: its symbols
 * (kallsyms) and its drop reasons (BTF). Reading them was most of a cold start (kallsyms is 5 MB
 * of text the kernel formats on every read) while a session needs them only once it decodes an
 * event or explains a name: so each is read when first asked for, or before by a background
 * thread the session starts once its probes are attached ({@link #readAhead()}), so that the first
 * test's events rarely wait for them, and kallsyms lists the session's own programs.
 */
final class KernelNames {

	private static final Logger LOG = LoggerFactory.getLogger(KernelNames.class);

	private final Once<Kallsyms> kallsyms = new Once<>(Kallsyms::load);
	private final Once<DropReasons> dropReasons = new Once<>(DropReasons::fromKernel);

	/**
	 * Checks, cheaply, what reading the names later needs (kallsyms shows addresses to this
	 * process): a tracer that could not name anything fails at start, as it did when it read
	 * them there. The BTF drop reasons come from is checked with the other requirements.
	 */
	static KernelNames checked() {
		Kallsyms.requireReadable();
		return new KernelNames();
	}

	/** The kernel's symbols, read on the first call (by whichever thread asks first). */
	Supplier<Kallsyms> kallsyms() {
		return kallsyms;
	}

	/** The kernel's drop reasons, read on the first call. */
	Supplier<DropReasons> dropReasons() {
		return dropReasons;
	}

	/**
	 * Reads both in the background, unless {@code wanted} turns false first (a session closed at
	 * once); a failure is left for the first reader to meet.
	 */
	void readAhead(BooleanSupplier wanted) {
		Thread.ofVirtual().name("tracepackets-kernel-names").start(() -> {
			long started = System.nanoTime();
			try {
				if (!wanted.getAsBoolean()) {
					return;
				}
				int reasons = dropReasons.get().names().size();
				if (!wanted.getAsBoolean()) {
					return;
				}
				int symbols = kallsyms.get().size();
				LOG.debug("kernel names read ahead in {} ms ({} symbols, {} drop reasons)",
						(System.nanoTime() - started) / 1_000_000, symbols, reasons);
			} catch (RuntimeException e) {
				LOG.debug("kernel names not read ahead: {}", e.getMessage());
			}
		});
	}

	/**
	 * A value computed once, by the first caller, others waiting for it; a failure is not kept,
	 * so that the next caller tries again and meets the reason itself.
	 */
	private static final class Once<T> implements Supplier<T> {
		private final Supplier<T> compute;
		private volatile T value;

		Once(Supplier<T> compute) {
			this.compute = compute;
		}

		@Override
		public T get() {
			T read = value;
			if (read == null) {
				synchronized (this) {
					read = value;
					if (read == null) {
						read = value = compute.get();
					}
				}
			}
			return read;
		}
	}
}
