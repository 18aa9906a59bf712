package io.tracepackets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * The gate of {@link KernelTest}: before anything of a class runs — its {@code @BeforeAll}, other
 * extensions' (Testcontainers starts containers there) — checks once per JVM that this process can
 * trace: the capabilities BPF tracing and network namespaces need (root has them) and a readable
 * {@value #VMLINUX_BTF}. Otherwise the class is skipped with what is missing, or failed in strict mode.
 * <p>
 * The skip is a condition on the class, not a {@link TestAbortedException} from {@code beforeAll}:
 * surefire reports a class aborted in {@code beforeAll} as "Tests run: 0" and drops the reason, while a
 * class disabled by a condition shows every test skipped with it. The strict failure is thrown from
 * {@code beforeAll}, which surefire reports as a failure of the class with the reason; and should
 * conditions be deactivated, {@code beforeAll} aborts the class itself.
 */
public class KernelAccess implements ExecutionCondition, BeforeAllCallback {

	static final String VMLINUX_BTF = "/sys/kernel/btf/vmlinux";
	static final String HOW_TO_RUN = "run the kernel tests as root: sudo ./tp test";

	/** Bit numbers in CapEff, with what each is needed for. */
	enum Capability {
		CAP_NET_ADMIN(12, "veth pairs, addresses, iptables"),
		CAP_SYS_ADMIN(21, "ip netns and setns into network namespaces"),
		CAP_PERFMON(38, "attaching tracepoints and kprobes"),
		CAP_BPF(39, "loading BPF programs and maps");

		final int bit;
		final String neededFor;

		Capability(int bit, String neededFor) {
			this.bit = bit;
			this.neededFor = neededFor;
		}
	}

	private static volatile Optional<String> missing;

	@Override
	public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
		if (context.getTestMethod().isPresent() || isStrict()) {
			return ConditionEvaluationResult.enabled("checked on the class; strict mode fails it in beforeAll");
		}
		Optional<String> what = lacking();
		return what.isEmpty() ? ConditionEvaluationResult.enabled("this process can trace")
				: ConditionEvaluationResult.disabled(reason(context.getRequiredTestClass(), what.get()));
	}

	@Override
	public void beforeAll(ExtensionContext context) {
		check(context.getRequiredTestClass(), lacking(), isStrict());
	}

	/** What this process lacks to trace ({@link #missing()}); KernelAccessTest's gates say instead. */
	Optional<String> lacking() {
		return missing();
	}

	/** Aborts (or in strict mode fails) {@code testClass} when something is missing; else returns. */
	static void check(Class<?> testClass, Optional<String> missing, boolean strict) {
		if (missing.isEmpty()) {
			return;
		}
		String reason = reason(testClass, missing.get());
		if (strict) {
			throw new AssertionFailedError(reason + " [strict mode (CI=true or -D" + TracePackets.STRICT_PROPERTY
					+ "=true): a kernel test that cannot run fails]");
		}
		throw new TestAbortedException(reason);
	}

	static String reason(Class<?> testClass, String missing) {
		return testClass.getSimpleName() + " needs the live kernel: " + missing;
	}

	/** What this process lacks to trace, read once per JVM; empty when it can. */
	static Optional<String> missing() {
		Optional<String> known = missing;
		if (known == null) {
			known = missing(effectiveCapabilities(), Files.isReadable(Path.of(VMLINUX_BTF)),
					System.getProperty("user.name"));
			missing = known;
		}
		return known;
	}

	/** What is missing, given CapEff, whether the kernel's BTF is readable, and who runs. */
	static Optional<String> missing(long capEff, boolean btfReadable, String user) {
		List<String> problems = new ArrayList<>();
		List<String> lacking = new ArrayList<>();
		for (Capability capability : Capability.values()) {
			if ((capEff & (1L << capability.bit)) == 0) {
				lacking.add(capability.name() + " (" + capability.neededFor + ")");
			}
		}
		if (!lacking.isEmpty()) {
			problems.add("this process (user " + user + ") lacks " + String.join(", ", lacking));
		}
		if (!btfReadable) {
			problems.add(VMLINUX_BTF + " is not readable (a kernel built without CONFIG_DEBUG_INFO_BTF has none)");
		}
		if (problems.isEmpty()) {
			return Optional.empty();
		}
		return Optional.of(String.join("; ", problems) + "; " + HOW_TO_RUN);
	}

	/**
	 * Strict mode, read as io.tracepackets.internal.junit.TraceSettings resolves it for a run without
	 * configuration parameters (package-private there, so repeated here: keep the two in step): the
	 * property when set, else CI=true.
	 */
	static boolean isStrict() {
		String property = System.getProperty(TracePackets.STRICT_PROPERTY);
		return property != null ? Boolean.parseBoolean(property) : "true".equalsIgnoreCase(System.getenv("CI"));
	}

	private static long effectiveCapabilities() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
				if (line.startsWith("CapEff:")) {
					return Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
				}
			}
		} catch (IOException e) {
			// Not Linux, or no /proc: then nothing here can trace either.
		}
		return 0;
	}
}
