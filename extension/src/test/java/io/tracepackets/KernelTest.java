package io.tracepackets;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that needs the live kernel or root: it loads BPF, reads kernel addresses or BTF,
 * creates or enters network namespaces, or runs {@code ip}/{@code iptables}. Tagged {@value #TAG}
 * (select or exclude the layer with {@code -Dgroups}/{@code -DexcludedGroups}); before anything of
 * the class runs, {@link KernelAccess} checks that this process can trace, and otherwise skips the
 * class with what is missing, or fails it in strict mode ({@code CI=true} or
 * {@code -Dtracepackets.strict=true}) so that CI never passes by skipping.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag(KernelTest.TAG)
@ExtendWith(KernelAccess.class)
public @interface KernelTest {

	String TAG = "kernel";
}
