package io.tracepackets.internal.pcap;

import java.util.List;

/**
 * Runs the subset of eBPF that {@link CbpfToEbpf} emits, with the calling convention of the
 * probes' placeholder: r1 = a {@link CbpfToEbpf#PACKET_BYTES}-byte buffer, r2 = caplen,
 * r3 = wirelen. Every memory access is checked against its region (buffer or 512-byte stack), as
 * the verifier would insist, so an unchecked packet load fails the test instead of reading junk.
 */
final class EbpfMachine {

	private static final long PACKET_BASE = 0x1000_0000L;
	private static final long STACK_TOP = 0x2000_0000L;
	private static final int STACK_SIZE = 512;

	private EbpfMachine() {
	}

	static long run(List<EbpfInstruction> program, byte[] captured, int wireLength) {
		byte[] packet = new byte[CbpfToEbpf.PACKET_BYTES];
		int caplen = Math.min(captured.length, packet.length);
		System.arraycopy(captured, 0, packet, 0, caplen);
		byte[] stack = new byte[STACK_SIZE];
		long[] r = new long[11];
		r[1] = PACKET_BASE;
		r[2] = caplen;
		r[3] = Integer.toUnsignedLong(wireLength);
		r[10] = STACK_TOP;
		int pc = 0;
		for (int steps = 0; steps < 100_000; steps++) {
			EbpfInstruction insn = program.get(pc++);
			int cls = insn.opcode() & 0x07;
			int op = insn.opcode() & 0xf0;
			boolean fromReg = (insn.opcode() & 0x08) != 0;
			switch (cls) {
			case EbpfInstruction.ALU, EbpfInstruction.ALU64 -> {
				boolean is64 = cls == EbpfInstruction.ALU64;
				if (op == EbpfInstruction.END) {
					long v = r[insn.dst()];
					r[insn.dst()] = insn.imm() == 16 ? Short.toUnsignedLong(Short.reverseBytes((short) v))
							: Integer.toUnsignedLong(Integer.reverseBytes((int) v));
					continue;
				}
				long src = fromReg ? r[insn.src()] : insn.imm();
				long dst = r[insn.dst()];
				long result;
				if (is64) {
					result = switch (op) {
					case 0x00 -> dst + src;
					case 0x10 -> dst - src;
					case 0x20 -> dst * src;
					case 0x40 -> dst | src;
					case 0x50 -> dst & src;
					case 0xb0 -> src;
					default -> throw new AssertionError("unexpected ALU64 op " + insn);
					};
				} else {
					int a = (int) dst;
					int b = (int) src;
					result = Integer.toUnsignedLong(switch (op) {
					case 0x00 -> a + b;
					case 0x10 -> a - b;
					case 0x20 -> a * b;
					case 0x30 -> b == 0 ? 0 : Integer.divideUnsigned(a, b);
					case 0x40 -> a | b;
					case 0x50 -> a & b;
					case 0x60 -> a << (b & 31);
					case 0x70 -> a >>> (b & 31);
					case 0x80 -> -a;
					case 0x90 -> b == 0 ? a : Integer.remainderUnsigned(a, b);
					case 0xa0 -> a ^ b;
					case 0xb0 -> b;
					default -> throw new AssertionError("unexpected ALU op " + insn);
					});
				}
				r[insn.dst()] = result;
			}
			case EbpfInstruction.JMP, EbpfInstruction.JMP32 -> {
				if (op == EbpfInstruction.EXIT) {
					return r[0];
				}
				boolean is32 = cls == EbpfInstruction.JMP32;
				long a = is32 ? Integer.toUnsignedLong((int) r[insn.dst()]) : r[insn.dst()];
				long b = fromReg ? r[insn.src()] : insn.imm();
				if (is32) {
					b = Integer.toUnsignedLong((int) b);
				}
				boolean taken = switch (op) {
				case 0x00 -> true;
				case 0x10 -> a == b;
				case 0x20 -> Long.compareUnsigned(a, b) > 0;
				case 0x30 -> Long.compareUnsigned(a, b) >= 0;
				case 0x40 -> (a & b) != 0;
				case 0x50 -> a != b;
				case 0xa0 -> Long.compareUnsigned(a, b) < 0;
				default -> throw new AssertionError("unexpected jump " + insn);
				};
				if (taken) {
					pc += insn.offset();
				}
			}
			case EbpfInstruction.LDX -> {
				int size = size(insn);
				long address = r[insn.src()] + insn.offset();
				byte[] region = region(address, size, packet, stack, insn);
				int at = offset(address);
				long v = 0;
				for (int i = size - 1; i >= 0; i--) {
					v = v << 8 | (region[at + i] & 0xff); // little-endian, as on x86
				}
				r[insn.dst()] = v;
			}
			case EbpfInstruction.ST, EbpfInstruction.STX -> {
				int size = size(insn);
				long address = r[insn.dst()] + insn.offset();
				if (region(address, size, packet, stack, insn) != stack) {
					throw new AssertionError("store outside the stack: " + insn);
				}
				long v = cls == EbpfInstruction.ST ? insn.imm() : r[insn.src()];
				for (int i = 0; i < size; i++) {
					stack[offset(address) + i] = (byte) (v >>> (8 * i));
				}
			}
			default -> throw new AssertionError("unexpected instruction " + insn);
			}
		}
		throw new AssertionError("program did not exit");
	}

	private static int size(EbpfInstruction insn) {
		return switch (insn.opcode() & 0x18) {
		case 0x00 -> 4;
		case 0x08 -> 2;
		case 0x10 -> 1;
		default -> 8;
		};
	}

	private static byte[] region(long address, int size, byte[] packet, byte[] stack, EbpfInstruction insn) {
		if (address >= PACKET_BASE && address + size <= PACKET_BASE + packet.length) {
			return packet;
		}
		if (address >= STACK_TOP - STACK_SIZE && address + size <= STACK_TOP) {
			return stack;
		}
		throw new AssertionError("access of " + size + " bytes at 0x" + Long.toHexString(address)
				+ " outside the packet buffer and the stack (the verifier would refuse it): " + insn);
	}

	private static int offset(long address) {
		return (int) (address >= STACK_TOP - STACK_SIZE ? address - (STACK_TOP - STACK_SIZE) : address - PACKET_BASE);
	}
}
