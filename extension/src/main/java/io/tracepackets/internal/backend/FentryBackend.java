package io.tracepackets.internal.backend;

import io.tracepackets.Backend;
import io.tracepackets.TracePacketsException;
import io.tracepackets.internal.bpf.BpfObject;
import io.tracepackets.internal.btf.Btf;
import io.tracepackets.internal.btf.BtfKind;
import io.tracepackets.internal.btf.SkbFunction;
import io.tracepackets.internal.ffi.Libc;
import io.tracepackets.internal.libbpf.LibBpf;
import io.tracepackets.internal.ffi.NativeException;
import io.tracepackets.internal.link.FdLink;
import io.tracepackets.internal.symbols.Kallsyms;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * fentry: a BPF trampoline per function. A fentry program is verified against one function's
 * BTF, so the object's program for each argument position is loaded once against a template
 * function, and then its final instructions (CO-RE relocated, map fds embedded) are loaded again
 * per function with that function's BTF id — retsnoop's cloning, without reopening the object.
 */
final class FentryBackend implements FunctionBackend {

	/**
	 * The 64-bit immediate each clone carries in place of its function's address, for kernels
	 * without bpf_get_func_ip in tracing programs (before 5.15): FENTRY_IP_PLACEHOLDER in
	 * bpf/tracepackets.bpf.c. Where the kernel has the helper, the verifier drops the patched
	 * instruction as dead code, so it is patched on every kernel alike.
	 */
	static final long FUNCTION_IP_PLACEHOLDER = 0x7470666e69707068L;
	/** BPF_LD | BPF_IMM | BPF_DW: the first half of a 64-bit immediate load. */
	private static final byte LD_IMM64 = 0x18;
	private static final int INSN = 8;

	private final Supplier<Kallsyms> kallsyms;

	FentryBackend(Kallsyms kallsyms) {
		this(() -> kallsyms);
	}

	/** {@code kallsyms}: the functions' addresses, read when the first clone is attached. */
	FentryBackend(Supplier<Kallsyms> kallsyms) {
		this.kallsyms = kallsyms;
	}

	@Override
	public Backend backend() {
		return Backend.FENTRY;
	}

	@Override
	public String programName(int position) {
		return "fentry_skb_" + position;
	}

	/** A link per function: the clone's program fd is closed once linked. */
	@Override
	public long descriptors(int functions, int positions) {
		return functions;
	}

	/** One fexit sees both the parent (an argument) and the copy (the return value). */
	@Override
	public List<String> copyPrograms(String copyFunction) {
		return List.of("fexit_" + copyFunction);
	}

	/**
	 * fentry keeps the skb's event as it enters (nf_hook_slow frees a packet it drops before it
	 * returns), fexit writes it with the return value.
	 */
	@Override
	public List<String> returnPrograms(String function) {
		return List.of("fentry_return_" + function, "fexit_return_" + function);
	}

	@Override
	public String refusalHint(String error) {
		return error.contains("EPERM")
				? " (the kernel refuses BPF trampolines: lockdown, or a kernel that forbids fentry)"
				: error.contains("ENOTSUPP") || error.contains("EOPNOTSUPP")
						? " (no BPF trampoline support on this architecture/kernel)" : "";
	}

	/**
	 * Arguments every BPF trampoline handles; x86 before 6.6 refuses more (ENOTSUPP), so templates
	 * stay within it while functions beyond it are still tried, for newer kernels.
	 */
	static final int SAFE_ARGUMENTS = 6;

	/**
	 * The template of each position is verified at object load, where one refusal fails the whole
	 * tracer: it is a function within {@link #SAFE_ARGUMENTS}.
	 */
	@Override
	public void beforeLoad(BpfObject object, Map<Integer, List<SkbFunction>> byPosition) {
		try (BtfIds btf = new BtfIds()) {
			for (Map.Entry<Integer, List<SkbFunction>> entry : byPosition.entrySet()) {
				// Any safe function with the skb at that position will do, probed or not.
				SkbFunction template = entry.getValue().stream()
						.filter(f -> btf.parameterCount(f) <= SAFE_ARGUMENTS).findFirst()
						.or(() -> btf.vmlinux.skbFunctions(null).stream()
								.filter(f -> f.skbArgPosition() == entry.getKey() && btf.parameterCount(f) <= SAFE_ARGUMENTS)
								.findFirst())
						.orElse(entry.getValue().getFirst());
				object.program(programName(entry.getKey())).setAttachTarget(template.name());
			}
		}
	}

	private static final String LOAD_WHAT = "fentry clone for ";
	/** How a load failure's message begins (NativeException: "load " + what + ": errno"). */
	private static final String LOAD_FAILURE = "load " + LOAD_WHAT;

	@Override
	public AttachResult attach(BpfObject object, Map<Integer, List<SkbFunction>> byPosition) {
		Attachments attachments = new Attachments();
		BtfIds btf = new BtfIds();
		try {
			for (Map.Entry<Integer, List<SkbFunction>> entry : byPosition.entrySet()) {
				String program = programName(entry.getKey());
				MemorySegment instructions = object.program(program).instructions();
				List<Long> placeholders = placeholders(instructions, program);
				for (SkbFunction function : entry.getValue()) {
					try {
						attachments.attached(attachClone(instructions, placeholders, function, btf), function.name());
					} catch (TracePacketsException e) {
						int arguments = btf.parameterCount(function);
						if (arguments > SAFE_ARGUMENTS) {
							attachments.unsupported(function.name(), e.getMessage() + " (it takes " + arguments
									+ " arguments, more than this kernel's trampolines take: " + SAFE_ARGUMENTS
									+ " on x86 before 6.6, more since, but not every prototype)");
						} else if (e instanceof NativeException load && load.getMessage().startsWith(LOAD_FAILURE)) {
							// The kernel refused a trampoline program for this function's prototype at load:
							// a property of the function on this kernel, not of this run.
							attachments.unsupported(function.name(), e.getMessage()
									+ " (the kernel refuses an fentry program for this function)");
						} else {
							attachments.failed(function.name(), e.getMessage());
						}
					}
				}
			}
		} finally {
			btf.close();
		}
		return attachments.result();
	}

	/**
	 * Where the template's instructions load {@link #FUNCTION_IP_PLACEHOLDER}: byte offsets of the
	 * first halves of those 64-bit immediate loads. clang keeps the load (the choice between it and
	 * bpf_get_func_ip is a CO-RE constant only libbpf knows), so a template without one was built
	 * from other sources than this tracer's.
	 */
	static List<Long> placeholders(MemorySegment instructions, String program) {
		List<Long> found = new ArrayList<>();
		int low = (int) FUNCTION_IP_PLACEHOLDER;
		int high = (int) (FUNCTION_IP_PLACEHOLDER >>> 32);
		for (long at = 0; at + 2 * INSN <= instructions.byteSize(); at += INSN) {
			if (instructions.get(ValueLayout.JAVA_BYTE, at) == LD_IMM64
					&& (instructions.get(ValueLayout.JAVA_BYTE, at + 1) & 0xf0) == 0 // src_reg 0: a plain constant
					&& instructions.get(ValueLayout.JAVA_INT_UNALIGNED, at + 4) == low
					&& instructions.get(ValueLayout.JAVA_INT_UNALIGNED, at + INSN + 4) == high) {
				found.add(at);
				at += INSN;
			}
		}
		if (found.isEmpty()) {
			throw new TracePacketsException("fentry program " + program + " has no placeholder for its function's"
					+ " address (0x" + Long.toHexString(FUNCTION_IP_PLACEHOLDER) + "): the BPF object does not match"
					+ " this tracer; rebuild the extension");
		}
		return List.copyOf(found);
	}

	/** A copy of {@code instructions} whose placeholders load {@code address} instead. */
	static MemorySegment withAddress(MemorySegment instructions, List<Long> placeholders, long address, Arena arena) {
		MemorySegment copy = arena.allocate(instructions.byteSize(), 8);
		copy.copyFrom(instructions);
		for (long at : placeholders) {
			copy.set(ValueLayout.JAVA_INT_UNALIGNED, at + 4, (int) address);
			copy.set(ValueLayout.JAVA_INT_UNALIGNED, at + INSN + 4, (int) (address >>> 32));
		}
		return copy;
	}

	private FdLink attachClone(MemorySegment instructions, List<Long> placeholders, SkbFunction function,
			BtfIds btf) {
		int typeId = btf.functionId(function);
		int objectFd = function.module() == null ? 0 : btf.moduleFd(function.module());
		OptionalLong address = kallsyms.get().address(function.name());
		if (address.isEmpty()) {
			throw new TracePacketsException("fentry " + function.name() + ": /proc/kallsyms has no address for it");
		}
		int programFd;
		try (Arena arena = Arena.ofConfined()) {
			programFd = LibBpf.loadFentry("tp_" + function.name(),
					withAddress(instructions, placeholders, address.getAsLong(), arena), typeId, objectFd,
					LOAD_WHAT + function.name());
		}
		try {
			return new FdLink(LibBpf.attachTracing(programFd, "fentry " + function.name()), "fentry/" + function.name());
		} finally {
			// The link holds the program; our fd to it is no longer needed.
			Libc.close(programFd);
		}
	}

	/** BTF type ids of functions (vmlinux and module BTF) and fds of module BTF objects. */
	private static final class BtfIds implements AutoCloseable {

		private final Btf vmlinux = Btf.loadVmlinux();
		private final Map<String, Btf> modules = new HashMap<>();
		private Map<String, Integer> moduleFds;

		int parameterCount(SkbFunction function) {
			Btf owner = function.module() == null ? vmlinux : modules.computeIfAbsent(function.module(), this::load);
			return owner.parameterCount(functionId(function));
		}

		int functionId(SkbFunction function) {
			Btf btf = function.module() == null ? vmlinux : modules.computeIfAbsent(function.module(), this::load);
			OptionalInt id = btf.findType(BtfKind.FUNC, function.name());
			if (id.isEmpty()) {
				throw new TracePacketsException("fentry " + function.name() + ": no BTF FUNC of that name in "
						+ (function.module() == null ? "vmlinux" : function.module()));
			}
			return id.getAsInt();
		}

		private Btf load(String module) {
			Path file = Path.of("/sys/kernel/btf", module);
			try {
				return Btf.parseSplit(ByteBuffer.wrap(Files.readAllBytes(file)), vmlinux, module);
			} catch (IOException e) {
				throw new TracePacketsException("read " + file + ": " + e.getMessage(), e);
			}
		}

		/** The fd of a module's kernel BTF object: fentry on a module function names it. */
		int moduleFd(String module) {
			if (moduleFds == null) {
				moduleFds = new HashMap<>();
				for (int id : LibBpf.btfObjectIds()) {
					int fd = LibBpf.btfFd(id);
					String name = LibBpf.btfName(fd);
					if (moduleFds.putIfAbsent(name, fd) != null) {
						Libc.close(fd);
					}
				}
			}
			Integer fd = moduleFds.get(module);
			if (fd == null) {
				throw new TracePacketsException("fentry: the kernel has no BTF object for module " + module);
			}
			return fd;
		}

		@Override
		public void close() {
			if (moduleFds != null) {
				moduleFds.values().forEach(Libc::close);
			}
		}
	}
}
