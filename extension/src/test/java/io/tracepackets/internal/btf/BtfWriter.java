package io.tracepackets.internal.btf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds small raw BTF blobs in tests, base or split, one type record per call; each call returns
 * the new type's id. Records are written the way the kernel lays them out (btf.h).
 */
final class BtfWriter {

	private final ByteBuffer types = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
	private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
	private final Map<String, Integer> stringOffsets = new HashMap<>();
	private final int firstStringOffset;
	private int nextId;

	/** A writer of base BTF: ids from 1, string offset 0 is the empty name. */
	BtfWriter() {
		this(1, 0);
	}

	private BtfWriter(int firstId, int firstStringOffset) {
		this.nextId = firstId;
		this.firstStringOffset = firstStringOffset;
		if (firstStringOffset == 0) {
			strings.write(0);
			stringOffsets.put("", 0);
		}
	}

	/** A writer of split BTF continuing {@code base}'s type ids and string offsets. */
	static BtfWriter splitOn(Btf base) {
		return new BtfWriter(base.nextTypeId(), base.nextStringOffset());
	}

	int string(String s) {
		if (s.isEmpty()) {
			return 0;
		}
		return stringOffsets.computeIfAbsent(s, k -> {
			int offset = firstStringOffset + strings.size();
			strings.writeBytes(k.getBytes(StandardCharsets.UTF_8));
			strings.write(0);
			return offset;
		});
	}

	private int header(String name, BtfKind kind, int vlen, boolean kindFlag, int sizeOrType) {
		types.putInt(string(name));
		types.putInt((kindFlag ? 1 << 31 : 0) | kind.id() << 24 | vlen);
		types.putInt(sizeOrType);
		return nextId++;
	}

	int addInt(String name, int size) {
		int id = header(name, BtfKind.INT, 0, false, size);
		types.putInt(size * 8); // encoding 0, offset 0, bits
		return id;
	}

	int addFloat(String name, int size) {
		return header(name, BtfKind.FLOAT, 0, false, size);
	}

	int addPtr(int target) {
		return header("", BtfKind.PTR, 0, false, target);
	}

	int addModifier(BtfKind kind, String name, int target) {
		return header(name, kind, 0, false, target);
	}

	int addTypedef(String name, int target) {
		return addModifier(BtfKind.TYPEDEF, name, target);
	}

	int addConst(int target) {
		return addModifier(BtfKind.CONST, "", target);
	}

	int addVolatile(int target) {
		return addModifier(BtfKind.VOLATILE, "", target);
	}

	int addTypeTag(String tag, int target) {
		return addModifier(BtfKind.TYPE_TAG, tag, target);
	}

	int addArray(int element, int index, int length) {
		int id = header("", BtfKind.ARRAY, 0, false, 0);
		types.putInt(element).putInt(index).putInt(length);
		return id;
	}

	/** A struct (or union) whose members are (name, type) pairs, laid out 8 bytes apart. */
	int addStruct(BtfKind kind, String name, int size, Object... members) {
		int id = header(name, kind, members.length / 2, false, size);
		for (int i = 0; i < members.length; i += 2) {
			types.putInt(string((String) members[i])).putInt((Integer) members[i + 1]).putInt(i / 2 * 64);
		}
		return id;
	}

	int addFwd(String name, boolean union) {
		return header(name, BtfKind.FWD, 0, union, 0);
	}

	/** An enum from (name, value) pairs. */
	int addEnum(String name, boolean signed, Object... enumerators) {
		int id = header(name, BtfKind.ENUM, enumerators.length / 2, signed, 4);
		for (int i = 0; i < enumerators.length; i += 2) {
			types.putInt(string((String) enumerators[i])).putInt(((Number) enumerators[i + 1]).intValue());
		}
		return id;
	}

	int addEnum64(String name, Object... enumerators) {
		int id = header(name, BtfKind.ENUM64, enumerators.length / 2, false, 8);
		for (int i = 0; i < enumerators.length; i += 2) {
			long value = ((Number) enumerators[i + 1]).longValue();
			types.putInt(string((String) enumerators[i])).putInt((int) value).putInt((int) (value >>> 32));
		}
		return id;
	}

	/** A function prototype from (name, type) parameter pairs. */
	int addFuncProto(int returnType, Object... params) {
		int id = header("", BtfKind.FUNC_PROTO, params.length / 2, false, returnType);
		for (int i = 0; i < params.length; i += 2) {
			types.putInt(string((String) params[i])).putInt((Integer) params[i + 1]);
		}
		return id;
	}

	int addFunc(String name, int proto) {
		return header(name, BtfKind.FUNC, 1 /* global linkage */, false, proto);
	}

	int addVar(String name, int type) {
		int id = header(name, BtfKind.VAR, 0, false, type);
		types.putInt(1);
		return id;
	}

	int addDatasec(String name, int... vars) {
		int id = header(name, BtfKind.DATASEC, vars.length, false, 8 * vars.length);
		for (int i = 0; i < vars.length; i++) {
			types.putInt(vars[i]).putInt(i * 8).putInt(8);
		}
		return id;
	}

	int addDeclTag(String tag, int target, int componentIndex) {
		int id = header(tag, BtfKind.DECL_TAG, 0, false, target);
		types.putInt(componentIndex);
		return id;
	}

	/** The blob: header, type section, string section. */
	ByteBuffer build() {
		return build(ByteOrder.LITTLE_ENDIAN);
	}

	ByteBuffer build(ByteOrder order) {
		byte[] stringBytes = strings.toByteArray();
		int typeLen = types.position();
		ByteBuffer blob = ByteBuffer.allocate(24 + typeLen + stringBytes.length).order(order);
		blob.putShort((short) Btf.MAGIC).put((byte) 1).put((byte) 0).putInt(24);
		blob.putInt(0).putInt(typeLen).putInt(typeLen).putInt(stringBytes.length);
		ByteBuffer typeBytes = types.duplicate().flip();
		if (order == ByteOrder.BIG_ENDIAN) {
			// Re-encode every 32-bit word: all type-section fields are u32.
			ByteBuffer le = typeBytes.order(ByteOrder.LITTLE_ENDIAN);
			while (le.hasRemaining()) {
				blob.putInt(le.getInt());
			}
		} else {
			blob.put(typeBytes);
		}
		blob.put(stringBytes);
		return blob.flip();
	}
}
