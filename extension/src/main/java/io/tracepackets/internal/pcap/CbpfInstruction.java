package io.tracepackets.internal.pcap;

/**
 * One classic BPF instruction as libpcap emits it ({@code struct bpf_insn}): opcode, the two
 * conditional jump offsets (relative to the next instruction) and the constant {@code k}.
 */
public record CbpfInstruction(int code, int jt, int jf, int k) {

	// Classes (code & 0x07)
	static final int LD = 0x00;
	static final int LDX = 0x01;
	static final int ST = 0x02;
	static final int STX = 0x03;
	static final int ALU = 0x04;
	static final int JMP = 0x05;
	static final int RET = 0x06;
	static final int MISC = 0x07;
	// Sizes (code & 0x18)
	static final int W = 0x00;
	static final int H = 0x08;
	static final int B = 0x10;
	// Modes (code & 0xe0)
	static final int IMM = 0x00;
	static final int ABS = 0x20;
	static final int IND = 0x40;
	static final int MEM = 0x60;
	static final int LEN = 0x80;
	static final int MSH = 0xa0;
	// ALU and JMP operations (code & 0xf0)
	static final int ADD = 0x00;
	static final int SUB = 0x10;
	static final int MUL = 0x20;
	static final int DIV = 0x30;
	static final int OR = 0x40;
	static final int AND = 0x50;
	static final int LSH = 0x60;
	static final int RSH = 0x70;
	static final int NEG = 0x80;
	static final int MOD = 0x90;
	static final int XOR = 0xa0;
	static final int JA = 0x00;
	static final int JEQ = 0x10;
	static final int JGT = 0x20;
	static final int JGE = 0x30;
	static final int JSET = 0x40;
	// Sources (code & 0x08) and return values (code & 0x18)
	static final int K = 0x00;
	static final int X = 0x08;
	static final int RET_A = 0x10;
	// MISC operations (code & 0xf8)
	static final int TAX = 0x00;
	static final int TXA = 0x80;
	/** Scratch memory words M[0..15]. */
	static final int MEMWORDS = 16;

	int instructionClass() {
		return code & 0x07;
	}

	int size() {
		return code & 0x18;
	}

	int mode() {
		return code & 0xe0;
	}

	int operation() {
		return code & 0xf0;
	}

	int source() {
		return code & 0x08;
	}

	/** Bytes a load of this size reads. */
	int sizeBytes() {
		return switch (size()) {
		case W -> 4;
		case H -> 2;
		case B -> 1;
		default -> throw new IllegalArgumentException("unknown load size in " + this);
		};
	}

	/** tcpdump -dd's notation, e.g. {@code { 0x28, 0, 0, 0x0000000c }}, for messages and test failures. */
	@Override
	public String toString() {
		return String.format("{ 0x%02x, %d, %d, 0x%08x }", code, jt, jf, k);
	}
}
