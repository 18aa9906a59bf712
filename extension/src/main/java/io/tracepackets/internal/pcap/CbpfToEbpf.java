package io.tracepackets.internal.pcap;

import static io.tracepackets.internal.pcap.CbpfInstruction.*;
import static io.tracepackets.internal.pcap.EbpfInstruction.ALU64;
import static io.tracepackets.internal.pcap.EbpfInstruction.END;
import static io.tracepackets.internal.pcap.EbpfInstruction.JMP32;
import static io.tracepackets.internal.pcap.EbpfInstruction.MOV;

import java.util.ArrayList;
import java.util.List;

/**
 * Translates a classic BPF program (libpcap's output) into the body of an eBPF subprogram
 * {@code int f(const u8 *packet, u32 caplen, u32 wirelen)}, where {@code packet} points at
 * {@link #PACKET_BYTES} readable bytes (a per-CPU map value), {@code caplen} of them captured.
 * The result is non-zero when the packet matches.
 *
 * <p>Registers: A in r6, X in r7, the arguments stay in r1..r3, r4 and r5 are scratch; M[0..15]
 * are 32-bit words at r10-64. ALU and jumps are 32-bit (BPF_ALU, BPF_JMP32) as in classic BPF.
 * Every packet load is checked against {@code caplen} at run time (out of bounds: "no match", as
 * classic BPF ends the program with 0), and its offset is bounded by {@link #PACKET_BYTES} so the
 * verifier can prove the map-value access safe: constant offsets statically, {@code X + k}
 * offsets by an explicit {@code > PACKET_BYTES - size} check. A division by zero also ends with 0.
 * Only forward jumps exist in classic BPF, so the result is loop-free.
 */
public final class CbpfToEbpf {

	/**
	 * How many packet bytes the filter sees: the size of the per-CPU buffer the probe copies them
	 * into ({@code PCAP_FILTER_BYTES} in bpf/include/skb_events.bpf.h). A load beyond it does not
	 * match, like a load beyond the end of a short packet.
	 */
	public static final int PACKET_BYTES = 256;

	private static final int PACKET = 1;
	private static final int CAPLEN = 2;
	private static final int WIRELEN = 3;
	private static final int TMP = 4;
	private static final int TMP2 = 5;
	private static final int A_REG = 6;
	private static final int X_REG = 7;
	private static final int FP = 10;
	private static final int MEMORY_BASE = -4 * MEMWORDS;
	/** Jump target meaning "return 0". */
	private static final int REJECT = -1;

	private final List<CbpfInstruction> program;
	private final List<EbpfInstruction> out = new ArrayList<>();
	/** For each emitted instruction that jumps: the classic index it targets (or REJECT), else null. */
	private final List<Integer> targets = new ArrayList<>();
	private final int[] start;

	private CbpfToEbpf(List<CbpfInstruction> program) {
		this.program = program;
		this.start = new int[program.size() + 1];
	}

	/** The eBPF instructions equivalent to {@code program}. */
	public static List<EbpfInstruction> translate(List<CbpfInstruction> program) {
		if (program.isEmpty()) {
			throw new IllegalArgumentException("empty classic BPF program");
		}
		return new CbpfToEbpf(program).run();
	}

	private List<EbpfInstruction> run() {
		prologue();
		boolean[] reachable = reachable();
		for (int i = 0; i < program.size(); i++) {
			start[i] = out.size();
			if (reachable[i]) { // the verifier refuses unreachable instructions
				translate(i, program.get(i));
			}
		}
		start[program.size()] = out.size();
		int reject = out.size();
		if (targets.contains(REJECT)) {
			emit(alu64(MOV | K, 0, 0), null);
			emit(new EbpfInstruction(JMP | EbpfInstruction.EXIT, 0, 0, 0, 0), null);
		}
		List<EbpfInstruction> result = new ArrayList<>(out.size());
		for (int i = 0; i < out.size(); i++) {
			EbpfInstruction insn = out.get(i);
			Integer target = targets.get(i);
			if (target != null) {
				int to = target == REJECT ? reject : start[target];
				insn = new EbpfInstruction(insn.opcode(), insn.dst(), insn.src(), to - (i + 1), insn.imm());
			}
			result.add(insn);
		}
		return List.copyOf(result);
	}

	/** Which classic instructions some path from the first one reaches. */
	private boolean[] reachable() {
		boolean[] reached = new boolean[program.size()];
		reached[0] = true;
		for (int i = 0; i < program.size(); i++) {
			if (!reached[i]) {
				continue;
			}
			CbpfInstruction insn = program.get(i);
			if (insn.instructionClass() == RET) {
				continue;
			}
			if (insn.instructionClass() == JMP) {
				if (insn.operation() == JA) {
					mark(reached, i + 1 + insn.k(), insn);
				} else {
					mark(reached, i + 1 + insn.jt(), insn);
					mark(reached, i + 1 + insn.jf(), insn);
				}
			} else {
				mark(reached, i + 1, insn);
			}
		}
		return reached;
	}

	private void mark(boolean[] reached, int index, CbpfInstruction from) {
		if (index < 0 || index >= program.size()) {
			throw new IllegalArgumentException("classic BPF program runs past its end after " + from);
		}
		reached[index] = true;
	}

	/** A = X = 0, and every scratch word the program reads zeroed (the verifier refuses reading unset stack). */
	private void prologue() {
		emit(alu32(MOV | K, A_REG, 0), null);
		emit(alu32(MOV | K, X_REG, 0), null);
		boolean[] read = new boolean[MEMWORDS];
		for (CbpfInstruction insn : program) {
			if ((insn.instructionClass() == LD || insn.instructionClass() == LDX) && insn.mode() == MEM) {
				checkMemoryIndex(insn);
				read[insn.k()] = true;
			}
		}
		for (int word = 0; word < MEMWORDS; word++) {
			if (read[word]) {
				emit(new EbpfInstruction(EbpfInstruction.ST | EbpfInstruction.MEM | EbpfInstruction.W, FP, 0,
						memoryOffset(word), 0), null);
			}
		}
	}

	private void translate(int index, CbpfInstruction insn) {
		int k = insn.k();
		switch (insn.instructionClass()) {
		case LD -> {
			switch (insn.mode()) {
			case IMM -> emit(alu32(MOV | K, A_REG, k), null);
			case LEN -> emit(alu32(MOV | X, A_REG, WIRELEN), null);
			case MEM -> loadMemory(A_REG, insn);
			case ABS -> loadAbsolute(A_REG, k, insn.sizeBytes());
			case IND -> loadIndirect(k, insn.sizeBytes());
			default -> throw CbpfInterpreter.unsupported(insn);
			}
		}
		case LDX -> {
			switch (insn.mode()) {
			case IMM -> emit(alu32(MOV | K, X_REG, k), null);
			case LEN -> emit(alu32(MOV | X, X_REG, WIRELEN), null);
			case MEM -> loadMemory(X_REG, insn);
			case MSH -> {
				loadAbsolute(X_REG, k, 1);
				emit(alu32(AND | K, X_REG, 0x0f), null);
				emit(alu32(LSH | K, X_REG, 2), null);
			}
			default -> throw CbpfInterpreter.unsupported(insn);
			}
		}
		case ST, STX -> {
			checkMemoryIndex(insn);
			emit(new EbpfInstruction(EbpfInstruction.STX | EbpfInstruction.MEM | EbpfInstruction.W, FP,
					insn.instructionClass() == ST ? A_REG : X_REG, memoryOffset(k), 0), null);
		}
		case ALU -> alu(insn);
		case JMP -> jump(index, insn);
		case RET -> {
			if ((insn.code() & 0x18) == RET_A) {
				emit(alu32(MOV | X, 0, A_REG), null);
			} else {
				emit(alu64(MOV | K, 0, k != 0 ? 1 : 0), null);
			}
			emit(new EbpfInstruction(JMP | EbpfInstruction.EXIT, 0, 0, 0, 0), null);
		}
		case MISC -> {
			if ((insn.code() & 0xf8) == TAX) {
				emit(alu32(MOV | X, X_REG, A_REG), null);
			} else if ((insn.code() & 0xf8) == TXA) {
				emit(alu32(MOV | X, A_REG, X_REG), null);
			} else {
				throw CbpfInterpreter.unsupported(insn);
			}
		}
		default -> throw CbpfInterpreter.unsupported(insn);
		}
	}

	/** reg = big-endian load of {@code size} bytes at constant offset k, or "no match" past caplen. */
	private void loadAbsolute(int reg, int k, int size) {
		if (k < 0 || k + size > PACKET_BYTES) {
			emit(jump(JMP | JA, 0, 0, 0), REJECT);
			return;
		}
		emit(jump(JMP | EbpfInstruction.JLT | K, CAPLEN, 0, k + size), REJECT);
		emit(new EbpfInstruction(EbpfInstruction.LDX | EbpfInstruction.MEM | ebpfSize(size), reg, PACKET, k, 0), null);
		byteSwap(reg, size);
	}

	/** A = big-endian load at X + k: bounded for the verifier, checked against caplen for the semantics. */
	private void loadIndirect(int k, int size) {
		if (k < 0 || k + size > PACKET_BYTES) {
			emit(jump(JMP | JA, 0, 0, 0), REJECT);
			return;
		}
		emit(alu64(MOV | X, TMP, X_REG), null); // X is a zero-extended u32
		emit(alu64(ADD | K, TMP, k), null);
		emit(jump(JMP | JGT | K, TMP, 0, PACKET_BYTES - size), REJECT);
		emit(alu64(MOV | X, TMP2, TMP), null);
		emit(alu64(ADD | K, TMP2, size), null);
		emit(jump(JMP | JGT | X, TMP2, CAPLEN, 0), REJECT);
		emit(alu64(MOV | X, TMP2, PACKET), null);
		emit(alu64(ADD | X, TMP2, TMP), null);
		emit(new EbpfInstruction(EbpfInstruction.LDX | EbpfInstruction.MEM | ebpfSize(size), A_REG, TMP2, 0, 0), null);
		byteSwap(A_REG, size);
	}

	private void byteSwap(int reg, int size) {
		if (size > 1) {
			emit(new EbpfInstruction(ALU | EbpfInstruction.END | EbpfInstruction.TO_BE, reg, 0, 0, size * 8), null);
		}
	}

	private void loadMemory(int reg, CbpfInstruction insn) {
		checkMemoryIndex(insn);
		emit(new EbpfInstruction(EbpfInstruction.LDX | EbpfInstruction.MEM | EbpfInstruction.W, reg, FP,
				memoryOffset(insn.k()), 0), null);
	}

	private void alu(CbpfInstruction insn) {
		int op = insn.operation();
		boolean fromX = insn.source() == X;
		if (op == NEG) {
			emit(alu32(NEG, A_REG, 0), null);
			return;
		}
		if (op != ADD && op != SUB && op != MUL && op != DIV && op != OR && op != AND && op != LSH && op != RSH
				&& op != MOD && op != XOR) {
			throw CbpfInterpreter.unsupported(insn);
		}
		if (!fromX) {
			int k = insn.k();
			if ((op == DIV || op == MOD) && k == 0) {
				emit(jump(JMP | JA, 0, 0, 0), REJECT);
			} else if ((op == LSH || op == RSH) && Integer.compareUnsigned(k, 32) >= 0) {
				emit(alu32(MOV | K, A_REG, 0), null);
			} else {
				emit(alu32(op | K, A_REG, k), null);
			}
			return;
		}
		if (op == DIV || op == MOD) {
			emit(jump(JMP32 | JEQ | K, X_REG, 0, 0), REJECT);
			emit(alu32(op | X, A_REG, X_REG), null);
		} else if (op == LSH || op == RSH) {
			// classic BPF: a shift by 32 or more gives 0 (eBPF's would take the count mod 32)
			emit(new EbpfInstruction(JMP32 | JGT | K, X_REG, 0, 2, 31), null);
			emit(alu32(op | X, A_REG, X_REG), null);
			emit(new EbpfInstruction(JMP | JA, 0, 0, 1, 0), null);
			emit(alu32(MOV | K, A_REG, 0), null);
		} else {
			emit(alu32(op | X, A_REG, X_REG), null);
		}
	}

	private void jump(int index, CbpfInstruction insn) {
		int next = index + 1;
		if (insn.operation() == JA) {
			emit(jump(JMP | JA, 0, 0, 0), target(next + insn.k(), insn));
			return;
		}
		int op = insn.operation();
		if (op != JEQ && op != JGT && op != JGE && op != JSET) {
			throw CbpfInterpreter.unsupported(insn);
		}
		int whenTrue = target(next + insn.jt(), insn);
		int whenFalse = target(next + insn.jf(), insn);
		if (insn.source() == X) {
			emit(jump(JMP32 | op | X, A_REG, X_REG, 0), whenTrue);
		} else {
			emit(jump(JMP32 | op | K, A_REG, 0, insn.k()), whenTrue);
		}
		if (whenFalse != next) {
			emit(jump(JMP | JA, 0, 0, 0), whenFalse);
		}
	}

	private int target(int classicIndex, CbpfInstruction insn) {
		if (classicIndex < 0 || classicIndex >= program.size()) {
			throw new IllegalArgumentException("classic BPF jump out of the program: " + insn);
		}
		return classicIndex;
	}

	private static void checkMemoryIndex(CbpfInstruction insn) {
		if (insn.k() < 0 || insn.k() >= MEMWORDS) {
			throw new IllegalArgumentException("scratch memory index out of M[0..15]: " + insn);
		}
	}

	private static int memoryOffset(int word) {
		return MEMORY_BASE + 4 * word;
	}

	private static int ebpfSize(int size) {
		return switch (size) {
		case 4 -> EbpfInstruction.W;
		case 2 -> EbpfInstruction.H;
		default -> EbpfInstruction.B;
		};
	}

	private void emit(EbpfInstruction insn, Integer target) {
		out.add(insn);
		targets.add(target);
	}

	private static EbpfInstruction alu32(int op, int dst, int srcOrImm) {
		return (op & X) != 0 && (op & 0xf0) != END ? new EbpfInstruction(ALU | op, dst, srcOrImm, 0, 0)
				: new EbpfInstruction(ALU | op, dst, 0, 0, srcOrImm);
	}

	private static EbpfInstruction alu64(int op, int dst, int srcOrImm) {
		return (op & X) != 0 ? new EbpfInstruction(ALU64 | op, dst, srcOrImm, 0, 0)
				: new EbpfInstruction(ALU64 | op, dst, 0, 0, srcOrImm);
	}

	private static EbpfInstruction jump(int opcode, int dst, int src, int imm) {
		return new EbpfInstruction(opcode, dst, src, 0, imm);
	}
}
