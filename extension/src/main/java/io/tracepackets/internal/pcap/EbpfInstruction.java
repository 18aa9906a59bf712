package io.tracepackets.internal.pcap;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** One eBPF instruction ({@code struct bpf_insn}): opcode, registers, offset, immediate. */
public record EbpfInstruction(int opcode, int dst, int src, int offset, int imm) {

	// classes
	static final int LDX = 0x01;
	static final int ST = 0x02;
	static final int STX = 0x03;
	static final int ALU = 0x04;
	static final int JMP = 0x05;
	static final int JMP32 = 0x06;
	static final int ALU64 = 0x07;
	// memory
	static final int MEM = 0x60;
	static final int W = 0x00;
	static final int H = 0x08;
	static final int B = 0x10;
	// sources
	static final int K = 0x00;
	static final int X = 0x08;
	// ALU operations beyond classic BPF's
	static final int MOV = 0xb0;
	static final int END = 0xd0;
	static final int TO_BE = 0x08;
	// jumps beyond classic BPF's
	static final int JNE = 0x50;
	static final int JLT = 0xa0;
	static final int EXIT = 0x90;

	/** Bytes in one instruction. */
	public static final int SIZE = 8;

	public EbpfInstruction {
		if (offset < Short.MIN_VALUE || offset > Short.MAX_VALUE) {
			throw new IllegalArgumentException("eBPF jump offset out of range: " + offset);
		}
	}

	/** {@code goto +0}: a no-op the verifier removes and the JIT drops. */
	public static final EbpfInstruction NOP = new EbpfInstruction(JMP, 0, 0, 0, 0);

	/** Writes the instruction in the host's (little-endian) layout. */
	public void writeTo(ByteBuffer out) {
		out.order(ByteOrder.LITTLE_ENDIAN);
		out.put((byte) opcode);
		out.put((byte) ((src & 0x0f) << 4 | (dst & 0x0f)));
		out.putShort((short) offset);
		out.putInt(imm);
	}

	/** Reads one instruction at {@code at}. */
	public static EbpfInstruction readFrom(ByteBuffer in, int at) {
		ByteBuffer le = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
		int regs = le.get(at + 1) & 0xff;
		return new EbpfInstruction(le.get(at) & 0xff, regs & 0x0f, regs >>> 4, le.getShort(at + 2), le.getInt(at + 4));
	}
}
