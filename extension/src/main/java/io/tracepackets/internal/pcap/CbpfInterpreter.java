package io.tracepackets.internal.pcap;

import static io.tracepackets.internal.pcap.CbpfInstruction.*;

import java.util.List;

/**
 * Classic BPF's reference semantics, as libpcap's {@code bpf_filter()} runs a program: 32-bit
 * unsigned A and X, scratch words M[0..15], loads big-endian, and a load outside the captured
 * bytes, or a division by zero, ends the program with 0 ("no match"). Shifts by 32 or more give 0.
 * The in-kernel translation ({@link CbpfToEbpf}) is tested against this, and filters on captured
 * event bytes in Java use it.
 */
public final class CbpfInterpreter {

	private CbpfInterpreter() {
	}

	/**
	 * Runs {@code program} on {@code packet} (the captured bytes; {@code wireLength} is what
	 * {@code len} loads) and returns what its {@code ret} returned: 0 means the packet does not match.
	 */
	public static int run(List<CbpfInstruction> program, byte[] packet, int wireLength) {
		int a = 0;
		int x = 0;
		int[] memory = new int[MEMWORDS];
		int pc = 0;
		while (pc < program.size()) {
			CbpfInstruction insn = program.get(pc++);
			int k = insn.k();
			switch (insn.instructionClass()) {
			case LD -> {
				switch (insn.mode()) {
				case IMM -> a = k;
				case LEN -> a = wireLength;
				case MEM -> a = memory[k];
				case ABS, IND -> {
					long offset = Integer.toUnsignedLong(k) + (insn.mode() == IND ? Integer.toUnsignedLong(x) : 0);
					if (offset + insn.sizeBytes() > packet.length) {
						return 0;
					}
					a = load(packet, (int) offset, insn.sizeBytes());
				}
				default -> throw unsupported(insn);
				}
			}
			case LDX -> {
				switch (insn.mode()) {
				case IMM -> x = k;
				case LEN -> x = wireLength;
				case MEM -> x = memory[k];
				case MSH -> {
					if (Integer.toUnsignedLong(k) + 1 > packet.length) {
						return 0;
					}
					x = (packet[k] & 0x0f) << 2;
				}
				default -> throw unsupported(insn);
				}
			}
			case ST -> memory[k] = a;
			case STX -> memory[k] = x;
			case ALU -> {
				int operand = insn.source() == X ? x : k;
				switch (insn.operation()) {
				case ADD -> a += operand;
				case SUB -> a -= operand;
				case MUL -> a *= operand;
				case DIV -> {
					if (operand == 0) {
						return 0;
					}
					a = Integer.divideUnsigned(a, operand);
				}
				case MOD -> {
					if (operand == 0) {
						return 0;
					}
					a = Integer.remainderUnsigned(a, operand);
				}
				case OR -> a |= operand;
				case AND -> a &= operand;
				case XOR -> a ^= operand;
				case LSH -> a = Integer.compareUnsigned(operand, 32) < 0 ? a << operand : 0;
				case RSH -> a = Integer.compareUnsigned(operand, 32) < 0 ? a >>> operand : 0;
				case NEG -> a = -a;
				default -> throw unsupported(insn);
				}
			}
			case JMP -> {
				int operand = insn.source() == X ? x : k;
				boolean taken = switch (insn.operation()) {
				case JA -> {
					pc += k;
					yield false;
				}
				case JEQ -> a == operand;
				case JGT -> Integer.compareUnsigned(a, operand) > 0;
				case JGE -> Integer.compareUnsigned(a, operand) >= 0;
				case JSET -> (a & operand) != 0;
				default -> throw unsupported(insn);
				};
				if (insn.operation() != JA) {
					pc += taken ? insn.jt() : insn.jf();
				}
			}
			case RET -> {
				return switch (insn.code() & 0x18) {
				case K -> k;
				case RET_A -> a;
				default -> throw unsupported(insn);
				};
			}
			case MISC -> {
				if ((insn.code() & 0xf8) == TAX) {
					x = a;
				} else if ((insn.code() & 0xf8) == TXA) {
					a = x;
				} else {
					throw unsupported(insn);
				}
			}
			default -> throw unsupported(insn);
			}
		}
		return 0;
	}

	private static int load(byte[] packet, int offset, int size) {
		int value = 0;
		for (int i = 0; i < size; i++) {
			value = value << 8 | (packet[offset + i] & 0xff);
		}
		return value;
	}

	static IllegalArgumentException unsupported(CbpfInstruction insn) {
		return new IllegalArgumentException("classic BPF instruction " + insn + " is not one libpcap emits");
	}
}
