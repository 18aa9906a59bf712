package io.tracepackets.internal.symbols;

import java.util.Objects;

/**
 * Where a kernel code address lies: in which function and how far into it, for rendering stacks.
 *
 * @param name the function (kallsyms symbol) containing the address
 * @param address the function's start address
 * @param offset how far the address is past the start
 * @param module the module defining the function ({@code "bpf"} for BPF programs), {@code null} for vmlinux
 */
public record Symbol(String name, long address, long offset, String module) {

	public Symbol {
		Objects.requireNonNull(name, "name");
	}

	/** {@code nf_hook_slow+0x7d}, followed by {@code " [module]"} for a module's function. */
	@Override
	public String toString() {
		return name + "+0x" + Long.toHexString(offset) + (module == null ? "" : " [" + module + "]");
	}
}
