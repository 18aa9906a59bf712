package io.tracepackets.internal.btf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Type information of the running kernel, read from raw BTF ({@code /sys/kernel/btf/vmlinux}, or a
 * module's split BTF whose type ids and string offsets continue after vmlinux's), so that what the
 * tracer knows about the kernel (drop reason names, which functions take an {@code sk_buff}) comes
 * from the kernel itself rather than from tables that go stale.
 *
 * <p>Parsing only indexes where each type record starts; names are decoded when asked for. An
 * instance is immutable and safe to share between threads.
 */
public final class Btf {

	static final int MAGIC = 0xEB9F;
	private static final int HEADER_MIN_LEN = 24;
	private static final int TYPE_HEADER_LEN = 12;
	/** Bound on modifier chains, so a malformed (cyclic) blob cannot loop forever. */
	private static final int MAX_MODIFIER_HOPS = 32;
	/** Kprobes read at most the first five arguments from registers on every architecture we target. */
	private static final int MAX_SKB_ARG_POSITION = 5;
	private static final byte[] SK_BUFF = "sk_buff".getBytes(StandardCharsets.US_ASCII);

	private final Btf base;
	private final String module;
	/** Type section and string section of this blob only, in the blob's byte order. */
	private final ByteBuffer types;
	private final ByteBuffer strings;
	/** Offset of each own type record within {@link #types}; index 0 is type id {@link #firstTypeId}. */
	private final int[] typeOffsets;
	private final int firstTypeId;
	private final int firstStringOffset;

	private Btf(Btf base, String module, ByteBuffer types, ByteBuffer strings, int[] typeOffsets) {
		this.base = base;
		this.module = module;
		this.types = types;
		this.strings = strings;
		this.typeOffsets = typeOffsets;
		this.firstTypeId = base == null ? 1 : base.nextTypeId();
		this.firstStringOffset = base == null ? 0 : base.nextStringOffset();
	}

	/**
	 * Reads the running kernel's own BTF from {@code /sys/kernel/btf/vmlinux}.
	 *
	 * @throws io.tracepackets.TracingUnavailableException if the kernel has no BTF or it is unreadable
	 */
	public static Btf loadVmlinux() {
		return KernelBtfFiles.DEFAULT.vmlinux();
	}

	/** Parses a base (non-split) BTF blob such as vmlinux's; the buffer's content is copied. */
	public static Btf parse(ByteBuffer data) {
		return parse(data, null, null);
	}

	/**
	 * Parses a module's split BTF on top of {@code base}; the module name is not known, so functions
	 * found in it report {@code "?"} as their module. The buffer's content is copied.
	 */
	public static Btf parseSplit(ByteBuffer data, Btf base) {
		return parseSplit(data, base, "?");
	}

	/** Parses the split BTF of kernel module {@code module} on top of {@code base}; the buffer's content is copied. */
	public static Btf parseSplit(ByteBuffer data, Btf base, String module) {
		if (base == null) {
			throw new IllegalArgumentException("split BTF needs its base BTF (vmlinux)");
		}
		if (module == null) {
			throw new IllegalArgumentException("split BTF needs a module name");
		}
		return parse(data, base, module);
	}

	/** Parses a blob the caller hands over for good (no copy), as the file loader does. */
	static Btf parseOwned(byte[] data, Btf base, String module) {
		return parse(ByteBuffer.wrap(data), base, module, false);
	}

	private static Btf parse(ByteBuffer data, Btf base, String module) {
		return parse(data, base, module, true);
	}

	private static Btf parse(ByteBuffer data, Btf base, String module, boolean copy) {
		ByteBuffer blob = data.slice();
		if (copy) {
			// Callers may reuse their buffer; an immutable Btf must not see that.
			ByteBuffer own = ByteBuffer.allocate(blob.remaining());
			own.put(blob.duplicate()).flip();
			blob = own;
		}
		if (blob.remaining() < HEADER_MIN_LEN) {
			throw malformed("only " + blob.remaining() + " bytes, shorter than a BTF header");
		}
		blob.order(ByteOrder.LITTLE_ENDIAN);
		int magic = Short.toUnsignedInt(blob.getShort(0));
		if (magic != MAGIC) {
			blob.order(ByteOrder.BIG_ENDIAN);
			if (Short.toUnsignedInt(blob.getShort(0)) != MAGIC) {
				throw malformed(String.format("bad magic 0x%04x (expected 0x%04x)", magic, MAGIC));
			}
		}
		int version = Byte.toUnsignedInt(blob.get(2));
		if (version != 1) {
			throw malformed("unsupported BTF version " + version);
		}
		int headerLen = blob.getInt(4);
		int typeOff = blob.getInt(8);
		int typeLen = blob.getInt(12);
		int strOff = blob.getInt(16);
		int strLen = blob.getInt(20);
		if (headerLen < HEADER_MIN_LEN) {
			throw malformed("header length " + headerLen + " < " + HEADER_MIN_LEN);
		}
		ByteBuffer types = section(blob, headerLen, typeOff, typeLen, "type");
		ByteBuffer strings = section(blob, headerLen, strOff, strLen, "string");
		int[] offsets = indexTypes(types, base == null ? 1 : base.nextTypeId());
		return new Btf(base, module, types, strings, offsets);
	}

	private static ByteBuffer section(ByteBuffer blob, int headerLen, int off, int len, String what) {
		long start = (long) headerLen + Integer.toUnsignedLong(off);
		long end = start + Integer.toUnsignedLong(len);
		if (end > blob.limit()) {
			throw malformed(what + " section [" + start + ", " + end + ") goes past the blob's " + blob.limit() + " bytes");
		}
		return blob.slice((int) start, (int) (end - start)).order(blob.order());
	}

	/** Walks the type section once, recording where each record starts. */
	private static int[] indexTypes(ByteBuffer types, int firstId) {
		int[] offsets = new int[Math.max(16, types.limit() / 24)];
		int count = 0;
		int pos = 0;
		int end = types.limit();
		while (pos < end) {
			if (end - pos < TYPE_HEADER_LEN) {
				throw malformed("truncated type record at type id " + (firstId + count));
			}
			int info = types.getInt(pos + 4);
			BtfKind kind = BtfKind.byId((info >>> 24) & 0x1f);
			if (kind == null || kind == BtfKind.VOID) {
				throw malformed("unknown kind " + ((info >>> 24) & 0x1f) + " at type id " + (firstId + count)
						+ " (a kernel newer than this parser?)");
			}
			if (count == offsets.length) {
				offsets = Arrays.copyOf(offsets, count * 2);
			}
			offsets[count++] = pos;
			pos += TYPE_HEADER_LEN + kind.trailingBytes(info & 0xffff);
		}
		if (pos != end) {
			throw malformed("last type record runs past the type section");
		}
		return Arrays.copyOf(offsets, count);
	}

	private static IllegalArgumentException malformed(String why) {
		return new IllegalArgumentException("malformed BTF: " + why);
	}

	// ---- identity -------------------------------------------------------------------------------

	/** The module this split BTF describes, empty for vmlinux (or any base BTF). */
	public Optional<String> module() {
		return Optional.ofNullable(module);
	}

	/** The BTF this one is split from, empty for a base BTF. */
	public Optional<Btf> base() {
		return Optional.ofNullable(base);
	}

	/** The id of the first type defined in this blob: 1 for a base, the base's next id for split BTF. */
	public int firstTypeId() {
		return firstTypeId;
	}

	/** The id after the last type of this blob (where a split BTF on top of it would start). */
	public int nextTypeId() {
		return firstTypeId + typeOffsets.length;
	}

	/** Number of types defined in this blob itself (not counting its base, nor void). */
	public int typeCount() {
		return typeOffsets.length;
	}

	int nextStringOffset() {
		return firstStringOffset + strings.limit();
	}

	// ---- per-type accessors (ids may belong to the base) ----------------------------------------

	/** The kind of type {@code id} (VOID for id 0). */
	public BtfKind kind(int id) {
		if (id == 0) {
			return BtfKind.VOID;
		}
		Btf owner = owner(id);
		return BtfKind.byId((owner.info(owner.offset(id)) >>> 24) & 0x1f);
	}

	/** The name of type {@code id}; empty for anonymous types and void. */
	public String name(int id) {
		if (id == 0) {
			return "";
		}
		Btf owner = owner(id);
		return string(owner.types.getInt(owner.offset(id)));
	}

	/**
	 * How many parameters FUNC {@code funcId} takes (its FUNC_PROTO's vlen): BPF trampolines limit
	 * it (6 on x86 before 6.6).
	 */
	public int parameterCount(int funcId) {
		Btf owner = owner(funcId);
		if (kind(funcId) != BtfKind.FUNC) {
			throw new IllegalArgumentException("BTF type " + funcId + " is a " + kind(funcId) + ", not a FUNC");
		}
		int protoId = owner.sizeOrType(owner.offset(funcId));
		Btf protoOwner = owner(protoId);
		return protoOwner.info(protoOwner.offset(protoId)) & 0xffff;
	}

	/** The first type named {@code name} of kind {@code kind}, searching the base first. */
	public OptionalInt findType(BtfKind kind, String name) {
		return findType(kind, name.getBytes(StandardCharsets.UTF_8));
	}

	private OptionalInt findType(BtfKind kind, byte[] name) {
		OptionalInt inBase = base == null ? OptionalInt.empty() : base.findType(kind, name);
		if (inBase.isPresent()) {
			return inBase;
		}
		for (int i = 0; i < typeOffsets.length; i++) {
			int off = typeOffsets[i];
			if (((info(off) >>> 24) & 0x1f) == kind.id() && nameEquals(types.getInt(off), name)) {
				return OptionalInt.of(firstTypeId + i);
			}
		}
		return OptionalInt.empty();
	}

	private Btf owner(int id) {
		Btf btf = this;
		while (id < btf.firstTypeId) {
			btf = btf.base;
		}
		if (id >= btf.nextTypeId()) {
			throw new IllegalArgumentException("no BTF type id " + id + " (last is " + (nextTypeId() - 1) + ")");
		}
		return btf;
	}

	/** Byte offset of type {@code id}'s record; {@code id} must be owned by this blob. */
	private int offset(int id) {
		return typeOffsets[id - firstTypeId];
	}

	private int info(int off) {
		return types.getInt(off + 4);
	}

	private int sizeOrType(int off) {
		return types.getInt(off + 8);
	}

	// ---- strings ----------------------------------------------------------------------------------

	/** The NUL-terminated string at {@code offset} of the (base + split) string space. */
	String string(int offset) {
		if (offset < firstStringOffset) {
			return base.string(offset);
		}
		int start = offset - firstStringOffset;
		if (start >= strings.limit()) {
			throw malformed("string offset " + offset + " past the string section");
		}
		int end = start;
		while (end < strings.limit() && strings.get(end) != 0) {
			end++;
		}
		byte[] bytes = new byte[end - start];
		strings.get(start, bytes);
		return new String(bytes, StandardCharsets.UTF_8);
	}

	/** Whether the string at {@code offset} is exactly {@code wanted}, without decoding it. */
	private boolean nameEquals(int offset, byte[] wanted) {
		if (offset < firstStringOffset) {
			return base.nameEquals(offset, wanted);
		}
		int start = offset - firstStringOffset;
		if (start + wanted.length >= strings.limit()) {
			return false;
		}
		for (int i = 0; i < wanted.length; i++) {
			if (strings.get(start + i) != wanted[i]) {
				return false;
			}
		}
		return strings.get(start + wanted.length) == 0;
	}

	// ---- enums ------------------------------------------------------------------------------------

	/**
	 * The enumerators of the enum (ENUM or ENUM64) named {@code enumName}, value to name in declaration
	 * order; for a value with several names the first declared wins. Empty if there is no such enum,
	 * e.g. {@code skb_drop_reason} before Linux 5.17.
	 */
	public Map<Long, String> enumValues(String enumName) {
		OptionalInt id = findType(BtfKind.ENUM, enumName);
		if (id.isEmpty()) {
			id = findType(BtfKind.ENUM64, enumName);
		}
		if (id.isEmpty()) {
			return Map.of();
		}
		Btf owner = owner(id.getAsInt());
		int off = owner.offset(id.getAsInt());
		int info = owner.info(off);
		boolean enum64 = ((info >>> 24) & 0x1f) == BtfKind.ENUM64.id();
		boolean signed = (info >>> 31) != 0; // kind_flag: signed enumerators
		int vlen = info & 0xffff;
		int entrySize = enum64 ? 12 : 8;
		Map<Long, String> values = new LinkedHashMap<>();
		for (int i = 0; i < vlen; i++) {
			int entry = off + TYPE_HEADER_LEN + i * entrySize;
			int low = owner.types.getInt(entry + 4);
			long value;
			if (enum64) {
				value = (Integer.toUnsignedLong(owner.types.getInt(entry + 8)) << 32) | Integer.toUnsignedLong(low);
			} else {
				value = signed ? low : Integer.toUnsignedLong(low);
			}
			values.putIfAbsent(value, owner.string(owner.types.getInt(entry)));
		}
		return Collections.unmodifiableMap(values);
	}

	// ---- skb functions ----------------------------------------------------------------------------

	/**
	 * The functions defined in this blob (not its base) that take a {@code struct sk_buff *} (looking
	 * through typedefs, const, volatile, restrict and type tags) among their first five arguments,
	 * each with the position of the first such argument, sorted by name. A name BTF lists twice (static
	 * functions of different files) appears once.
	 *
	 * @param nameFilter kept are the names in which it {@link java.util.regex.Matcher#find() finds} a
	 *        match; {@code null} keeps all
	 */
	public List<SkbFunction> skbFunctions(Pattern nameFilter) {
		List<SkbFunction> found = new ArrayList<>();
		Set<String> seen = new HashSet<>();
		int funcKind = BtfKind.FUNC.id();
		for (int i = 0; i < typeOffsets.length; i++) {
			int off = typeOffsets[i];
			if (((info(off) >>> 24) & 0x1f) != funcKind) {
				continue;
			}
			// Cheap integer work first: only functions that take an skb get their name decoded.
			int position = skbArgPosition(sizeOrType(off));
			if (position == 0) {
				continue;
			}
			String name = string(types.getInt(off));
			if ((nameFilter == null || nameFilter.matcher(name).find()) && seen.add(name)) {
				found.add(new SkbFunction(name, position, module));
			}
		}
		found.sort(Comparator.comparing(SkbFunction::name));
		return List.copyOf(found);
	}

	/** 1-based position of the first {@code struct sk_buff *} parameter of FUNC_PROTO {@code protoId}, or 0. */
	private int skbArgPosition(int protoId) {
		if (protoId == 0) {
			return 0;
		}
		Btf owner = owner(protoId);
		int off = owner.offset(protoId);
		int info = owner.info(off);
		if (((info >>> 24) & 0x1f) != BtfKind.FUNC_PROTO.id()) {
			return 0;
		}
		int params = Math.min(info & 0xffff, MAX_SKB_ARG_POSITION);
		for (int p = 0; p < params; p++) {
			int paramType = owner.types.getInt(off + TYPE_HEADER_LEN + p * 8 + 4);
			if (isSkbPointer(paramType)) {
				return p + 1;
			}
		}
		return 0;
	}

	private boolean isSkbPointer(int typeId) {
		int ptr = skipModifiers(typeId);
		if (ptr == 0 || kind(ptr) != BtfKind.PTR) {
			return false;
		}
		Btf owner = owner(ptr);
		int target = skipModifiers(owner.sizeOrType(owner.offset(ptr)));
		if (target == 0) {
			return false;
		}
		Btf targetOwner = owner(target);
		int off = targetOwner.offset(target);
		int info = targetOwner.info(off);
		int kind = (info >>> 24) & 0x1f;
		// A FWD with kind_flag 0 is a forward-declared struct (1 would be a union).
		boolean struct = kind == BtfKind.STRUCT.id() || (kind == BtfKind.FWD.id() && (info >>> 31) == 0);
		return struct && targetOwner.nameEquals(targetOwner.types.getInt(off), SK_BUFF);
	}

	private int skipModifiers(int typeId) {
		int id = typeId;
		for (int hops = 0; id != 0 && hops < MAX_MODIFIER_HOPS; hops++) {
			Btf owner = owner(id);
			int off = owner.offset(id);
			BtfKind kind = BtfKind.byId((owner.info(off) >>> 24) & 0x1f);
			if (!kind.isModifier()) {
				return id;
			}
			id = owner.sizeOrType(off);
		}
		return 0; // void, or a modifier chain too long to be real
	}

	/**
	 * The skb functions of the running kernel: those of vmlinux and, with {@code includeModules}, those
	 * of every loaded module that has BTF under {@code /sys/kernel/btf}; vmlinux's first, then by module.
	 *
	 * @see #skbFunctions(Pattern)
	 */
	public static List<SkbFunction> discoverSkbFunctions(Pattern nameFilter, boolean includeModules) {
		return KernelBtfFiles.DEFAULT.skbFunctions(nameFilter, includeModules);
	}

	@Override
	public String toString() {
		return "Btf[" + (module == null ? "base" : module) + ", types " + firstTypeId + ".." + (nextTypeId() - 1) + "]";
	}
}
