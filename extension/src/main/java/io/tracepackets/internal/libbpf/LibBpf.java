package io.tracepackets.internal.libbpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.ffi.Errno;
import io.tracepackets.internal.ffi.Native;
import io.tracepackets.internal.ffi.NativeException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Panama bindings to the system libbpf ({@code libbpf.so.1}), limited to what the tracer calls.
 * Each wrapper turns libbpf's error convention (NULL + errno, or a negative errno) into a
 * {@link NativeException} naming the operation and carrying what libbpf logged meanwhile.
 */
public final class LibBpf {

	public static final String LIBRARY = "libbpf.so.1";

	/** The part of {@code struct bpf_prog_info} read for run counters: up to recursion_misses. */
	private static final int PROGRAM_INFO_BYTES = 216;
	/** {@link #possibleCpus()} once asked; 0 before. */
	private static volatile int possibleCpus;
	private static final SymbolLookup LIB;

	static {
		try {
			LIB = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
		} catch (IllegalArgumentException e) {
			throw new TracingUnavailableException("libbpf",
					LIBRARY + " not found: install Debian/Ubuntu's libbpf1 (apt-get install libbpf1)", e);
		}
	}

	private static MethodHandle bind(String name, FunctionDescriptor descriptor, boolean errno) {
		return Native.downcall(LIB, name, descriptor, errno);
	}

	private static final MethodHandle SET_PRINT = bind("libbpf_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS),
			false);
	private static final MethodHandle OPEN_MEM = bind("bpf_object__open_mem",
			FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), true);
	private static final MethodHandle OBJECT_LOAD = bind("bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS),
			false);
	private static final MethodHandle OBJECT_CLOSE = bind("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS),
			false);
	private static final MethodHandle FIND_MAP = bind("bpf_object__find_map_by_name",
			FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS), false);
	private static final MethodHandle FIND_PROGRAM = bind("bpf_object__find_program_by_name",
			FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS), false);
	private static final MethodHandle MAP_SET_MAX_ENTRIES = bind("bpf_map__set_max_entries",
			FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), false);
	private static final MethodHandle MAP_SET_INITIAL_VALUE = bind("bpf_map__set_initial_value",
			FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), false);
	private static final MethodHandle MAP_FD = bind("bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS), false);
	private static final MethodHandle PROGRAM_FD = bind("bpf_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS),
			false);
	private static final MethodHandle LINK_FD = bind("bpf_link__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS), false);
	private static final MethodHandle PROGRAM_SET_AUTOLOAD = bind("bpf_program__set_autoload",
			FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_BOOLEAN), false);
	private static final MethodHandle PROGRAM_ATTACH = bind("bpf_program__attach",
			FunctionDescriptor.of(ADDRESS, ADDRESS), true);
	private static final MethodHandle LINK_DESTROY = bind("bpf_link__destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS),
			false);
	private static final MethodHandle MAP_UPDATE = bind("bpf_map_update_elem",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG), false);
	private static final MethodHandle MAP_LOOKUP = bind("bpf_map_lookup_elem",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), false);
	private static final MethodHandle MAP_DELETE = bind("bpf_map_delete_elem",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), false);
	private static final MethodHandle MAP_LOOKUP_BATCH = bind("bpf_map_lookup_batch",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS), false);
	private static final MethodHandle MAP_DELETE_BATCH = bind("bpf_map_delete_batch",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS), false);
	private static final MethodHandle PROG_TEST_RUN = bind("bpf_prog_test_run_opts",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), false);
	private static final MethodHandle NUM_POSSIBLE_CPUS = bind("libbpf_num_possible_cpus",
			FunctionDescriptor.of(JAVA_INT), false);

	private static final MethodHandle NEXT_PROGRAM = bind("bpf_object__next_program",
			FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS), false);
	private static final MethodHandle PROGRAM_NAME = bind("bpf_program__name",
			FunctionDescriptor.of(ADDRESS, ADDRESS), false);
	private static final MethodHandle NEXT_MAP = bind("bpf_object__next_map",
			FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS), false);
	private static final MethodHandle MAP_NAME = bind("bpf_map__name",
			FunctionDescriptor.of(ADDRESS, ADDRESS), false);
	private static final MethodHandle MAP_REUSE_FD = bind("bpf_map__reuse_fd",
			FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), false);
	private static final MethodHandle ATTACH_CGROUP = bind("bpf_program__attach_cgroup",
			FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT), true);
	private static final MethodHandle ATTACH_KPROBE = bind("bpf_program__attach_kprobe",
			FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_BOOLEAN, ADDRESS), true);
	private static final MethodHandle ATTACH_KPROBE_MULTI = bind("bpf_program__attach_kprobe_multi_opts",
			FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS), true);
	private static final MethodHandle SET_ATTACH_TARGET = bind("bpf_program__set_attach_target",
			FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), false);
	private static final MethodHandle PROGRAM_INSNS = bind("bpf_program__insns",
			FunctionDescriptor.of(ADDRESS, ADDRESS), false);
	private static final MethodHandle PROGRAM_INSN_CNT = bind("bpf_program__insn_cnt",
			FunctionDescriptor.of(JAVA_LONG, ADDRESS), false);
	private static final MethodHandle PROG_LOAD = bind("bpf_prog_load",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), false);
	private static final MethodHandle RAW_TRACEPOINT_OPEN = bind("bpf_raw_tracepoint_open",
			FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), false);
	private static final MethodHandle PROG_GET_NEXT_ID = bind("bpf_prog_get_next_id",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), false);
	private static final MethodHandle PROG_GET_FD_BY_ID = bind("bpf_prog_get_fd_by_id",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT), false);
	private static final MethodHandle BTF_GET_NEXT_ID = bind("bpf_btf_get_next_id",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), false);
	private static final MethodHandle BTF_GET_FD_BY_ID = bind("bpf_btf_get_fd_by_id",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT), false);
	private static final MethodHandle OBJ_GET_INFO_BY_FD = bind("bpf_obj_get_info_by_fd",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), false);
	private static final MethodHandle PROG_QUERY = bind("bpf_prog_query",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS), false);
	private static final MethodHandle LINK_CREATE = bind("bpf_link_create",
			FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), false);

	/** enum bpf_attach_type: tcx links on a device's ingress and egress (6.6+). */
	public static final int BPF_TCX_INGRESS = 46;
	public static final int BPF_TCX_EGRESS = 47;

	/** enum bpf_prog_type / bpf_attach_type values (uapi, stable). */
	public static final int BPF_PROG_TYPE_TRACING = 26;
	public static final int BPF_TRACE_FENTRY = 24;

	/** struct bpf_prog_load_opts as of libbpf 1.1 (ends with log_buf). */
	private static final long PROG_LOAD_OPTS_SIZE = 104;
	/** struct bpf_kprobe_multi_opts as of libbpf 1.1 (ends with retprobe). */
	private static final long KPROBE_MULTI_OPTS_SIZE = 48;

	/** sizeof(struct bpf_object_open_opts) in libbpf 1.1 is smaller; trailing zeros are accepted. */
	private static final long OPEN_OPTS_SIZE = 128;
	/** struct bpf_test_run_opts as of libbpf 1.1 (ends with batch_size). */
	private static final long TEST_RUN_OPTS_SIZE = 80;

	static {
		try {
			MemorySegment ignored = (MemorySegment) SET_PRINT.invokeExact(LibBpfLog.callback());
		} catch (Throwable t) {
			throw new ExceptionInInitializerError(t);
		}
	}

	private LibBpf() {
	}

	/** Runs {@code action} with libbpf's log lowered to debug: for probes whose refusal is expected. */
	public static <T> T quietly(java.util.function.Supplier<T> action) {
		return LibBpfLog.quietly(action);
	}

	/** bpf_object__open_mem: parses an ELF object held in {@code elf} (which must outlive the object). */
	public static MemorySegment openObject(MemorySegment elf, String objectName, Arena arena) {
		MemorySegment opts = arena.allocate(OPEN_OPTS_SIZE, 8);
		opts.set(JAVA_LONG, 0, OPEN_OPTS_SIZE);
		opts.set(ADDRESS, 8, arena.allocateFrom(objectName));
		return pointerCall("open BPF object " + objectName, () -> {
			MemorySegment errno = Native.errnoSlot(arena);
			MemorySegment object = (MemorySegment) OPEN_MEM.invokeExact(errno, elf, elf.byteSize(), opts);
			return new PointerResult(object, Native.errno(errno));
		});
	}

	public static void loadObject(MemorySegment object, String what) {
		intCall("load " + what, () -> (int) OBJECT_LOAD.invokeExact(object));
	}

	public static void closeObject(MemorySegment object) {
		try {
			OBJECT_CLOSE.invokeExact(object);
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/** Finds a map by name; NULL when absent. */
	public static MemorySegment findMap(MemorySegment object, String name) {
		try (Arena arena = Arena.ofConfined()) {
			return (MemorySegment) FIND_MAP.invokeExact(object, arena.allocateFrom(name));
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/** Finds a program by its C function name; NULL when absent. */
	public static MemorySegment findProgram(MemorySegment object, String name) {
		try (Arena arena = Arena.ofConfined()) {
			return (MemorySegment) FIND_PROGRAM.invokeExact(object, arena.allocateFrom(name));
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/** The names of every program of an object, in ELF order. */
	public static java.util.List<String> programNames(MemorySegment object) {
		try {
			java.util.List<String> names = new java.util.ArrayList<>();
			MemorySegment program = MemorySegment.NULL;
			while (true) {
				program = (MemorySegment) NEXT_PROGRAM.invokeExact(object, program);
				if (program.equals(MemorySegment.NULL)) {
					return names;
				}
				MemorySegment name = (MemorySegment) PROGRAM_NAME.invokeExact(program);
				names.add(name.reinterpret(256).getString(0));
			}
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	public static void setMaxEntries(MemorySegment map, int maxEntries, String what) {
		intCall("set max_entries of " + what, () -> (int) MAP_SET_MAX_ENTRIES.invokeExact(map, maxEntries));
	}

	/** Before load: the content of a global-data map ({@code .rodata.*}), which must match its size. */
	public static void setInitialValue(MemorySegment map, MemorySegment value, String what) {
		intCall("set the initial value of " + what, () -> (int) MAP_SET_INITIAL_VALUE.invokeExact(map, value,
				value.byteSize()));
	}

	/** The maps of {@code object} (libbpf's {@code struct bpf_map *}), in the object's order. */
	public static java.util.List<MemorySegment> maps(MemorySegment object) {
		try {
			java.util.List<MemorySegment> maps = new java.util.ArrayList<>();
			MemorySegment map = MemorySegment.NULL;
			while (true) {
				map = (MemorySegment) NEXT_MAP.invokeExact(object, map);
				if (map.equals(MemorySegment.NULL)) {
					return maps;
				}
				maps.add(map);
			}
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/** bpf_map__name: the map's name (an internal map's is the object's name and its section's). */
	public static String mapName(MemorySegment map) {
		try {
			return ((MemorySegment) MAP_NAME.invokeExact(map)).reinterpret(256).getString(0);
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	public static int mapFd(MemorySegment map, String what) {
		return intCall("get fd of map " + what, () -> (int) MAP_FD.invokeExact(map));
	}

	public static int programFd(MemorySegment program, String what) {
		return intCall("get fd of program " + what, () -> (int) PROGRAM_FD.invokeExact(program));
	}

	public static void setAutoload(MemorySegment program, boolean autoload, String what) {
		intCall("set autoload of " + what, () -> (int) PROGRAM_SET_AUTOLOAD.invokeExact(program, autoload));
	}

	/** bpf_program__attach: attaches per the program's SEC() and returns the bpf_link. */
	public static MemorySegment attach(MemorySegment program, String what) {
		return pointerCall("attach " + what, () -> {
			try (Arena arena = Arena.ofConfined()) {
				MemorySegment errno = Native.errnoSlot(arena);
				MemorySegment link = (MemorySegment) PROGRAM_ATTACH.invokeExact(errno, program);
				return new PointerResult(link, Native.errno(errno));
			}
		});
	}

	/** Before load: makes this object's map use an existing map (another object's) instead of a new one. */
	public static void reuseMapFd(MemorySegment map, int fd, String what) {
		intCall("reuse map fd for " + what, () -> (int) MAP_REUSE_FD.invokeExact(map, fd));
	}

	/** bpf_program__attach_cgroup: a link on the cgroup behind {@code cgroupFd} (and its descendants). */
	public static MemorySegment attachCgroup(MemorySegment program, int cgroupFd, String what) {
		return pointerCall("attach " + what + " to a cgroup", () -> {
			try (Arena arena = Arena.ofConfined()) {
				MemorySegment errno = Native.errnoSlot(arena);
				MemorySegment link = (MemorySegment) ATTACH_CGROUP.invokeExact(errno, program, cgroupFd);
				return new PointerResult(link, Native.errno(errno));
			}
		});
	}

	/** bpf_program__attach_kprobe at the entry of {@code function}. */
	public static MemorySegment attachKprobe(MemorySegment program, String function, String what) {
		return pointerCall("attach " + what + " to kprobe " + function, () -> {
			try (Arena arena = Arena.ofConfined()) {
				MemorySegment errno = Native.errnoSlot(arena);
				MemorySegment link = (MemorySegment) ATTACH_KPROBE.invokeExact(errno, program, false,
						arena.allocateFrom(function));
				return new PointerResult(link, Native.errno(errno));
			}
		});
	}

	/** bpf_program__attach_kprobe_multi_opts for a list of symbols: one link for all of them. */
	public static MemorySegment attachKprobeMulti(MemorySegment program, java.util.List<String> functions, String what) {
		return pointerCall("attach " + what + " to " + functions.size() + " functions with kprobe-multi", () -> {
			try (Arena arena = Arena.ofConfined()) {
				MemorySegment symbols = arena.allocate(ADDRESS, functions.size());
				for (int i = 0; i < functions.size(); i++) {
					symbols.setAtIndex(ADDRESS, i, arena.allocateFrom(functions.get(i)));
				}
				MemorySegment opts = arena.allocate(KPROBE_MULTI_OPTS_SIZE, 8);
				opts.set(JAVA_LONG, 0, KPROBE_MULTI_OPTS_SIZE);
				opts.set(ADDRESS, 8, symbols);
				opts.set(JAVA_LONG, 32, functions.size());
				MemorySegment errno = Native.errnoSlot(arena);
				MemorySegment link = (MemorySegment) ATTACH_KPROBE_MULTI.invokeExact(errno, program, MemorySegment.NULL,
						opts);
				return new PointerResult(link, Native.errno(errno));
			}
		});
	}

	/** Before load: the kernel function a fentry program attaches to (searched in vmlinux and modules). */
	public static void setAttachTarget(MemorySegment program, String function, String what) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment name = arena.allocateFrom(function);
			intCall("set attach target of " + what + " to " + function,
					() -> (int) SET_ATTACH_TARGET.invokeExact(program, 0, name));
		}
	}

	/**
	 * Before load, for a fentry/fexit program on another BPF program: the target program (open as
	 * {@code targetFd}) and its function, found in the target's BTF.
	 */
	public static void setAttachTarget(MemorySegment program, int targetFd, String function, String what) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment name = arena.allocateFrom(function);
			intCall("set attach target of " + what + " to BPF program function " + function,
					() -> (int) SET_ATTACH_TARGET.invokeExact(program, targetFd, name));
		}
	}

	/** An fd of the loaded program {@code id}; the caller closes it. */
	public static int programFdById(int id, String what) {
		return intCall("open " + what, () -> (int) PROG_GET_FD_BY_ID.invokeExact(id));
	}

	/** After load: the program's final instructions (relocated, map fds embedded), for cloning. */
	public static MemorySegment instructions(MemorySegment program) {
		try {
			MemorySegment insns = (MemorySegment) PROGRAM_INSNS.invokeExact(program);
			long count = (long) PROGRAM_INSN_CNT.invokeExact(program);
			return insns.reinterpret(count * 8);
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/**
	 * bpf_prog_load of a fentry program from {@code instructions}, attached (at load) to the
	 * function with BTF id {@code btfId} in the BTF object {@code btfObjectFd} (0: vmlinux).
	 * Returns the program fd.
	 */
	public static int loadFentry(String name, MemorySegment instructions, int btfId, int btfObjectFd, String what) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment opts = arena.allocate(PROG_LOAD_OPTS_SIZE, 8);
			opts.set(JAVA_LONG, 0, PROG_LOAD_OPTS_SIZE);
			opts.set(JAVA_INT, 12, BPF_TRACE_FENTRY);
			opts.set(JAVA_INT, 32, btfId);
			opts.set(JAVA_INT, 40, btfObjectFd);
			MemorySegment progName = arena.allocateFrom(name.length() > 15 ? name.substring(0, 15) : name);
			MemorySegment license = arena.allocateFrom("Dual BSD/GPL");
			return intCall("load " + what, () -> (int) PROG_LOAD.invokeExact(BPF_PROG_TYPE_TRACING, progName, license,
					instructions, instructions.byteSize() / 8, opts));
		}
	}

	/** Attaches a loaded fentry program (BPF_RAW_TRACEPOINT_OPEN with no name); returns the link fd. */
	public static int attachTracing(int programFd, String what) {
		return intCall("attach " + what, () -> (int) RAW_TRACEPOINT_OPEN.invokeExact(MemorySegment.NULL, programFd));
	}

	/** Ids of the kernel's loaded BTF objects (vmlinux and modules). */
	public static java.util.List<Integer> btfObjectIds() {
		java.util.List<Integer> ids = new java.util.ArrayList<>();
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment next = arena.allocate(JAVA_INT);
			int id = 0;
			while (true) {
				int ret = (int) BTF_GET_NEXT_ID.invokeExact(id, next);
				if (ret == -Errno.ENOENT) {
					return ids;
				}
				NativeException.check("list kernel BTF objects", ret);
				id = next.get(JAVA_INT, 0);
				ids.add(id);
			}
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/**
	 * The names of every BPF program loaded in the kernel right now (all processes'), as
	 * bpf_prog_info reports them (16 characters at most). Programs that vanish while listed are
	 * skipped.
	 */
	public static java.util.List<String> loadedProgramNames() {
		return java.util.List.copyOf(loadedPrograms().values());
	}

	/**
	 * A program's run count and run time as the kernel accounts them ({@code run_cnt},
	 * {@code run_time_ns} of {@code struct bpf_prog_info}, counted while
	 * {@code kernel.bpf_stats_enabled} is 1), and the runs it skipped because the program was
	 * already running on that CPU ({@code recursion_misses}, 5.12+, counted always; kprobes count
	 * theirs there since 6.7).
	 *
	 * @return {@code {run_cnt, run_time_ns, recursion_misses}} (the last -1 where the kernel has no
	 *         such field), or null when the program is gone
	 */
	public static long[] programRunCounters(int id) {
		int fd;
		try {
			fd = (int) PROG_GET_FD_BY_ID.invokeExact(id);
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
		if (fd < 0) {
			return null;
		}
		try {
			return programRunCountersOfFd(fd);
		} finally {
			io.tracepackets.internal.ffi.Libc.close(fd);
		}
	}

	/** {@link #programRunCounters} of the program behind {@code fd}, which the caller holds: one syscall. */
	public static long[] programRunCountersOfFd(int fd) {
		try (Arena arena = Arena.ofConfined()) {
			return programRunCountersOfFd(fd, programInfoRoom(arena));
		}
	}

	/**
	 * Room for {@link #programRunCountersOfFd(int, MemorySegment)}'s reads, for a caller that reads
	 * often: one allocation, reused under the caller's lock.
	 */
	public static MemorySegment programInfoRoom(Arena arena) {
		return arena.allocate(PROGRAM_INFO_BYTES + 8, 8);
	}

	/** {@link #programRunCountersOfFd(int)} through {@code room} (from {@link #programInfoRoom}), which it overwrites. */
	public static long[] programRunCountersOfFd(int fd, MemorySegment room) {
		try {
			// struct bpf_prog_info: run_time_ns at offset 192, run_cnt at 200, recursion_misses at
			// 208; a kernel that knows less says so in the length it writes back
			MemorySegment info = room.asSlice(0, PROGRAM_INFO_BYTES);
			MemorySegment length = room.asSlice(PROGRAM_INFO_BYTES, JAVA_INT.byteSize());
			info.fill((byte) 0);
			length.set(JAVA_INT, 0, PROGRAM_INFO_BYTES);
			if ((int) OBJ_GET_INFO_BY_FD.invokeExact(fd, info, length) != 0) {
				return null;
			}
			long misses = length.get(JAVA_INT, 0) < PROGRAM_INFO_BYTES ? -1 : info.get(JAVA_LONG, 208);
			return new long[] { info.get(JAVA_LONG, 200), info.get(JAVA_LONG, 192), misses };
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/** The file descriptor of a libbpf link (a perf event's, for a kprobe attached the legacy way). */
	public static int linkFd(MemorySegment link) {
		try {
			return (int) LINK_FD.invokeExact(link);
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/**
	 * What {@code struct bpf_link_info} says of a link: its type ({@code enum bpf_link_type}), its
	 * program, and for a kprobe (a perf event link of type KPROBE or KRETPROBE) or a kprobe-multi
	 * link, the runs the kprobe machinery skipped ({@code missed}, 6.7+; -1 where the kernel has no
	 * such field or the link is of another kind).
	 */
	public record LinkInfo(int type, int programId, long missed) {
		public static final int PERF_EVENT = 7;
		public static final int KPROBE_MULTI = 8;
	}

	/** The link's info, or empty when {@code fd} is not a BPF link (a legacy kprobe's perf event fd). */
	public static java.util.Optional<LinkInfo> linkInfo(int fd) {
		try (Arena arena = Arena.ofConfined()) {
			// struct bpf_link_info: type, id, prog_id, then a union at 16. kprobe_multi: addrs (16),
			// count, flags, missed (32). perf_event: type (16), pad, then kprobe: func_name (24),
			// name_len, offset, addr (40), missed (48). Null name/address buffers ask for none.
			MemorySegment info = arena.allocate(128, 8);
			MemorySegment length = arena.allocate(JAVA_INT);
			length.set(JAVA_INT, 0, (int) info.byteSize());
			if ((int) OBJ_GET_INFO_BY_FD.invokeExact(fd, info, length) != 0) {
				return java.util.Optional.empty();
			}
			int size = length.get(JAVA_INT, 0);
			int type = info.get(JAVA_INT, 0);
			long missed = -1;
			if (type == LinkInfo.KPROBE_MULTI && size >= 40) {
				missed = info.get(JAVA_LONG, 32);
			} else if (type == LinkInfo.PERF_EVENT && size >= 56) {
				int perfType = info.get(JAVA_INT, 16);
				// enum bpf_perf_event_type: KPROBE 3, KRETPROBE 4.
				if (perfType == 3 || perfType == 4) {
					missed = info.get(JAVA_LONG, 48);
				}
			}
			return java.util.Optional.of(new LinkInfo(type, info.get(JAVA_INT, 8), missed));
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/**
	 * The runs of program {@code id} the kernel skipped because the program was already running on
	 * that CPU ({@link #programRunCounters}' third); -1 when the program is gone or the kernel has
	 * no such field.
	 */
	public static long programRecursionMisses(int id) {
		long[] counters = programRunCounters(id);
		return counters == null ? -1 : counters[2];
	}

	/**
	 * The name of the loaded program {@code id}: its main function's, from the program's BTF where
	 * it has one (what a user wrote, and what fexit on the program attaches to), else the kernel's
	 * copy of that name, cut at 15 characters.
	 *
	 * @return the name; empty when the program is gone
	 */
	public static java.util.Optional<String> programName(int id) {
		try (Arena arena = Arena.ofConfined()) {
			int fd = (int) PROG_GET_FD_BY_ID.invokeExact(id);
			if (fd < 0) {
				return java.util.Optional.empty();
			}
			try {
				// struct bpf_prog_info up to nr_line_info: name at 64 (16 bytes), btf_id at 128,
				// func_info_rec_size at 132, func_info at 136, nr_func_info at 144.
				MemorySegment info = arena.allocate(PROG_INFO_SIZE, 8);
				if (!programInfo(fd, info, arena)) {
					return java.util.Optional.empty();
				}
				String cut = info.asSlice(64, 16).getString(0);
				int btfId = info.get(JAVA_INT, 128);
				if (btfId == 0 || info.get(JAVA_INT, 144) == 0) {
					return java.util.Optional.of(cut);
				}
				// Again, for the first func_info record: the main function's (instruction 0).
				MemorySegment funcInfo = arena.allocate(8, 4);
				info.fill((byte) 0);
				info.set(JAVA_INT, 132, 8);
				info.set(JAVA_LONG, 136, funcInfo.address());
				info.set(JAVA_INT, 144, 1);
				if (!programInfo(fd, info, arena)) {
					return java.util.Optional.of(cut);
				}
				return java.util.Optional.of(btfTypeName(btfId, funcInfo.get(JAVA_INT, 4)).orElse(cut));
			} finally {
				io.tracepackets.internal.ffi.Libc.close(fd);
			}
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/** struct bpf_prog_info's bytes up to and with nr_line_info: what {@link #programName} reads. */
	private static final int PROG_INFO_SIZE = 152;

	private static boolean programInfo(int fd, MemorySegment info, Arena arena) throws Throwable {
		MemorySegment length = arena.allocateFrom(JAVA_INT, PROG_INFO_SIZE);
		return (int) OBJ_GET_INFO_BY_FD.invokeExact(fd, info, length) == 0;
	}

	/** The name of type {@code typeId} in the loaded BTF object {@code btfId}, read whole and parsed. */
	private static java.util.Optional<String> btfTypeName(int btfId, int typeId) throws Throwable {
		int fd = (int) BTF_GET_FD_BY_ID.invokeExact(btfId);
		if (fd < 0) {
			return java.util.Optional.empty();
		}
		try (Arena arena = Arena.ofConfined()) {
			// struct bpf_btf_info { u64 btf; u32 btf_size; ... }: first its size, then its bytes.
			MemorySegment info = arena.allocate(32, 8);
			MemorySegment length = arena.allocateFrom(JAVA_INT, 32);
			if ((int) OBJ_GET_INFO_BY_FD.invokeExact(fd, info, length) != 0) {
				return java.util.Optional.empty();
			}
			int size = info.get(JAVA_INT, 8);
			MemorySegment bytes = arena.allocate(size, 8);
			info.fill((byte) 0);
			info.set(JAVA_LONG, 0, bytes.address());
			info.set(JAVA_INT, 8, size);
			length.set(JAVA_INT, 0, 32);
			if ((int) OBJ_GET_INFO_BY_FD.invokeExact(fd, info, length) != 0) {
				return java.util.Optional.empty();
			}
			String name = io.tracepackets.internal.btf.Btf.parse(bytes.asByteBuffer()).name(typeId);
			return name == null || name.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(name);
		} catch (RuntimeException unreadable) {
			return java.util.Optional.empty();
		} finally {
			io.tracepackets.internal.ffi.Libc.close(fd);
		}
	}

	/** Every BPF program loaded in the kernel now, by id: its name. */
	public static java.util.Map<Integer, String> loadedPrograms() {
		java.util.Map<Integer, String> names = new java.util.TreeMap<>();
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment next = arena.allocate(JAVA_INT);
			// struct bpf_prog_info up to its name (offset 64, 16 bytes): the kernel fills what fits.
			MemorySegment info = arena.allocate(80, 8);
			MemorySegment length = arena.allocate(JAVA_INT);
			int id = 0;
			while (true) {
				int ret = (int) PROG_GET_NEXT_ID.invokeExact(id, next);
				if (ret == -Errno.ENOENT) {
					return names;
				}
				NativeException.check("list BPF programs", ret);
				id = next.get(JAVA_INT, 0);
				int fd = (int) PROG_GET_FD_BY_ID.invokeExact(id);
				if (fd < 0) {
					continue; // freed meanwhile
				}
				try {
					info.fill((byte) 0);
					length.set(JAVA_INT, 0, 80);
					if ((int) OBJ_GET_INFO_BY_FD.invokeExact(fd, info, length) == 0) {
						names.put(id, info.asSlice(64, 16).getString(0));
					}
				} finally {
					io.tracepackets.internal.ffi.Libc.close(fd);
				}
			}
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/**
	 * The ids of the programs attached to {@code target} for {@code attachType} (BPF_PROG_QUERY;
	 * for tcx the target is an interface index of the caller's network namespace).
	 *
	 * @return empty when none is attached, or the kernel does not know the attach type
	 */
	public static java.util.List<Integer> attachedProgramIds(int target, int attachType) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment flags = arena.allocate(JAVA_INT);
			MemorySegment ids = arena.allocate(JAVA_INT, 64);
			MemorySegment count = arena.allocateFrom(JAVA_INT, 64);
			int ret = (int) PROG_QUERY.invokeExact(target, attachType, 0, flags, ids, count);
			if (ret < 0) {
				return java.util.List.of();
			}
			java.util.List<Integer> found = new java.util.ArrayList<>();
			for (int i = 0; i < count.get(JAVA_INT, 0); i++) {
				found.add(ids.getAtIndex(JAVA_INT, i));
			}
			return found;
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/**
	 * A BPF link of {@code programFd} to {@code target} for {@code attachType}
	 * (bpf_link_create without options): e.g. a tcx link on an interface index.
	 *
	 * @return the link's fd; closing it detaches the program
	 */
	public static int createLink(int programFd, int target, int attachType, String what) {
		return intCall(what, () -> (int) LINK_CREATE.invokeExact(programFd, target, attachType, MemorySegment.NULL));
	}

	public static int btfFd(int id) {
		return intCall("open BTF object " + id, () -> (int) BTF_GET_FD_BY_ID.invokeExact(id));
	}

	/** The name of a kernel BTF object ("vmlinux" or a module's), from bpf_obj_get_info_by_fd. */
	public static String btfName(int fd) {
		try (Arena arena = Arena.ofConfined()) {
			// struct bpf_btf_info { u64 btf; u32 btf_size; u32 id; u64 name; u32 name_len; u32 kernel_btf; }
			MemorySegment info = arena.allocate(32, 8);
			MemorySegment name = arena.allocate(64);
			info.set(JAVA_LONG, 16, name.address());
			info.set(JAVA_INT, 24, 64);
			MemorySegment length = arena.allocateFrom(JAVA_INT, 32);
			intCall("get info of BTF object fd " + fd, () -> (int) OBJ_GET_INFO_BY_FD.invokeExact(fd, info, length));
			return name.getString(0);
		}
	}

	public static void destroyLink(MemorySegment link, String what) {
		intCall("detach " + what, () -> (int) LINK_DESTROY.invokeExact(link));
	}

	public static void mapUpdate(int fd, MemorySegment key, MemorySegment value, long flags, String what) {
		intCall("update map " + what, () -> (int) MAP_UPDATE.invokeExact(fd, key, value, flags));
	}

	/** @return false when the key is absent (ENOENT) */
	public static boolean mapLookup(int fd, MemorySegment key, MemorySegment value, String what) {
		try {
			int ret = (int) MAP_LOOKUP.invokeExact(fd, key, value);
			if (ret == -Errno.ENOENT) {
				return false;
			}
			NativeException.check("look up map " + what, ret);
			return true;
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/** @return false when the key was absent */
	public static boolean mapDelete(int fd, MemorySegment key, String what) {
		try {
			int ret = (int) MAP_DELETE.invokeExact(fd, key);
			if (ret == -Errno.ENOENT) {
				return false;
			}
			NativeException.check("delete from map " + what, ret);
			return true;
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/**
	 * BPF_MAP_LOOKUP_BATCH (5.6+): up to {@code count} entries after the position {@code inBatch}
	 * ({@link MemorySegment#NULL} for the first call) into {@code keys} and {@code values}; the
	 * position to go on from into {@code outBatch}, how many were read into {@code count}.
	 *
	 * @return true while more may follow; false once the map's end was reached (entries may still
	 *     have been read in this call); throws {@link NativeException} with ENOSPC when one of the
	 *     map's buckets holds more than {@code count} entries
	 */
	public static boolean mapLookupBatch(int fd, MemorySegment inBatch, MemorySegment outBatch, MemorySegment keys,
			MemorySegment values, MemorySegment count, String what) {
		try {
			int ret = (int) MAP_LOOKUP_BATCH.invokeExact(fd, inBatch, outBatch, keys, values, count,
					MemorySegment.NULL);
			if (ret == -Errno.ENOENT) {
				return false;
			}
			NativeException.check("read map " + what, ret);
			return true;
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/** BPF_MAP_DELETE_BATCH (5.6+): deletes the {@code count} keys laid out one after another in {@code keys}. */
	public static void mapDeleteBatch(int fd, MemorySegment keys, MemorySegment count, String what) {
		intCall("delete from map " + what, () -> (int) MAP_DELETE_BATCH.invokeExact(fd, keys, count,
				MemorySegment.NULL));
	}

	/** BPF_PROG_TEST_RUN with a context (raw tracepoint or syscall programs); returns the program's r0. */
	public static int testRun(int programFd, MemorySegment context, String what) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment opts = arena.allocate(TEST_RUN_OPTS_SIZE, 8);
			opts.set(JAVA_LONG, 0, TEST_RUN_OPTS_SIZE);
			opts.set(ADDRESS, 32, context);
			opts.set(JAVA_INT, 48, (int) context.byteSize());
			intCall("run " + what, () -> (int) PROG_TEST_RUN.invokeExact(programFd, opts));
			return opts.get(JAVA_INT, 56);
		}
	}

	/** The kernel's possible CPUs, the size of a per-CPU map's value: fixed at boot, so asked once. */
	public static int possibleCpus() {
		int cpus = possibleCpus;
		if (cpus == 0) {
			cpus = intCall("count possible CPUs", () -> (int) NUM_POSSIBLE_CPUS.invokeExact());
			possibleCpus = cpus;
		}
		return cpus;
	}

	private record PointerResult(MemorySegment pointer, int errno) {
	}

	@FunctionalInterface
	private interface IntCall {
		int call() throws Throwable;
	}

	@FunctionalInterface
	private interface PointerCall {
		PointerResult call() throws Throwable;
	}

	private static int intCall(String operation, IntCall call) {
		LibBpfLog.beginCapture();
		int ret;
		try {
			ret = call.call();
		} catch (Throwable t) {
			LibBpfLog.endCapture();
			throw Native.rethrow(t);
		}
		String log = LibBpfLog.endCapture();
		if (ret < 0) {
			throw new NativeException(operation, -ret, log);
		}
		return ret;
	}

	private static MemorySegment pointerCall(String operation, PointerCall call) {
		LibBpfLog.beginCapture();
		PointerResult result;
		try {
			result = call.call();
		} catch (Throwable t) {
			LibBpfLog.endCapture();
			throw Native.rethrow(t);
		}
		String log = LibBpfLog.endCapture();
		if (result.pointer().equals(MemorySegment.NULL)) {
			throw new NativeException(operation, result.errno() == 0 ? Errno.EINVAL : result.errno(), log);
		}
		return result.pointer();
	}
}
