package io.tracepackets.internal.btf;

import io.tracepackets.internal.bootcache.BootCache;
import java.util.Optional;

/**
 * Whether the running kernel's BTF declares a function, such as a kfunc a BPF object calls. Asked
 * of the boot's cache first: the answer holds until a reboot, and finding it parses the kernel's
 * BTF (megabytes) at the start of every JVM's first tracer.
 */
public final class KernelFunctions {

	private KernelFunctions() {
	}

	/** Whether every one of {@code names} is a function in vmlinux's BTF. */
	public static boolean has(String... names) {
		BootCache cache = BootCache.shared();
		for (String name : names) {
			String key = "btf.func." + name;
			Optional<String> known = cache.get(key);
			boolean has;
			if (known.isPresent()) {
				has = Boolean.parseBoolean(known.get());
			} else {
				has = Btf.loadVmlinux().findType(BtfKind.FUNC, name).isPresent();
				cache.put(key, Boolean.toString(has));
			}
			if (!has) {
				return false;
			}
		}
		return true;
	}
}
