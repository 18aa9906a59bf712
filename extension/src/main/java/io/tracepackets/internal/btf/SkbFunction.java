package io.tracepackets.internal.btf;

import java.util.Objects;

/**
 * A kernel function that takes a {@code struct sk_buff *}, and so can be probed to follow packets.
 *
 * @param name the function's name, as BTF (and kallsyms) spell it
 * @param skbArgPosition which argument (1..5) is the first {@code struct sk_buff *}; a kprobe reads
 *        it from the matching argument register
 * @param module the kernel module defining the function, or {@code null} for vmlinux
 */
public record SkbFunction(String name, int skbArgPosition, String module) {

	public SkbFunction {
		Objects.requireNonNull(name, "name");
		if (skbArgPosition < 1 || skbArgPosition > 5) {
			throw new IllegalArgumentException("skbArgPosition must be 1..5, not " + skbArgPosition);
		}
	}

	@Override
	public String toString() {
		return name + "(skb@" + skbArgPosition + ")" + (module == null ? "" : " [" + module + "]");
	}
}
