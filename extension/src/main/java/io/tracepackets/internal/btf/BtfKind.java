package io.tracepackets.internal.btf;

/**
 * The kinds of BTF type records, numbered as in {@code include/uapi/linux/btf.h}, with how many
 * bytes each record carries after its 12-byte common header (which is what skipping a record needs).
 */
public enum BtfKind {
	VOID(0),
	INT(1),
	PTR(2),
	ARRAY(3),
	STRUCT(4),
	UNION(5),
	ENUM(6),
	FWD(7),
	TYPEDEF(8),
	VOLATILE(9),
	CONST(10),
	RESTRICT(11),
	FUNC(12),
	FUNC_PROTO(13),
	VAR(14),
	DATASEC(15),
	FLOAT(16),
	DECL_TAG(17),
	TYPE_TAG(18),
	ENUM64(19);

	private static final BtfKind[] BY_ID = values();

	private final int id;

	BtfKind(int id) {
		this.id = id;
	}

	/** The kind's number in the {@code info} word (bits 24..28). */
	public int id() {
		return id;
	}

	/** The kind numbered {@code id}, or {@code null} for a number this parser does not know. */
	static BtfKind byId(int id) {
		return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
	}

	/** Bytes following the common header of a record of this kind with {@code vlen} entries. */
	int trailingBytes(int vlen) {
		return switch (this) {
			case INT, VAR, DECL_TAG -> 4;
			case ARRAY -> 12;
			case STRUCT, UNION, DATASEC, ENUM64 -> 12 * vlen;
			case ENUM, FUNC_PROTO -> 8 * vlen;
			case VOID, PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG -> 0;
		};
	}

	/** Kinds that only qualify or rename another type, and are looked through to find what it is. */
	boolean isModifier() {
		return this == TYPEDEF || this == CONST || this == VOLATILE || this == RESTRICT || this == TYPE_TAG;
	}
}
