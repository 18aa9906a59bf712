package io.tracepackets.internal.pcap;

import io.tracepackets.TracePacketsException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes a translated filter into a BPF object's bytes before libbpf opens it. The object holds
 * two placeholder subprograms, {@code pcap_filter_l2} and {@code pcap_filter_l3} (no-ops, then
 * "match"; bpf/include/skb_events.bpf.h), and the flag {@code tp_pcap_filter} in .rodata. The
 * translated code goes over the placeholder's tail, the no-ops before it stay (the verifier removes
 * them), and the flag becomes 1. The instruction count, BTF and relocations are unchanged, so
 * libbpf then does CO-RE and loading as for any object.
 */
public final class PcapFilterInjection {

	static final String ETHERNET_PLACEHOLDER = "pcap_filter_l2";
	static final String RAW_IP_PLACEHOLDER = "pcap_filter_l3";
	static final String FLAG = "tp_pcap_filter";

	private static final int SHT_SYMTAB = 2;

	private PcapFilterInjection() {
	}

	/** A copy of {@code elf} whose placeholders hold {@code filter} and whose flag is set. */
	public static byte[] inject(byte[] elf, PcapFilter filter) {
		byte[] patched = elf.clone();
		Elf image = new Elf(patched);
		write(image, ETHERNET_PLACEHOLDER, CbpfToEbpf.translate(filter.ethernet()), filter, "Ethernet");
		write(image, RAW_IP_PLACEHOLDER, CbpfToEbpf.translate(filter.rawIp()), filter, "raw IP");
		Elf.Symbol flag = image.symbol(FLAG);
		image.buffer.order(ByteOrder.LITTLE_ENDIAN).putInt((int) image.fileOffset(flag), 1);
		return patched;
	}

	private static void write(Elf image, String placeholder, List<EbpfInstruction> code, PcapFilter filter,
			String view) {
		Elf.Symbol symbol = image.symbol(placeholder);
		int slots = (int) (symbol.size() / EbpfInstruction.SIZE);
		int at = (int) image.fileOffset(symbol);
		for (int i = 0; i < slots - 2; i++) {
			if (!EbpfInstruction.readFrom(image.buffer, at + i * EbpfInstruction.SIZE).equals(EbpfInstruction.NOP)) {
				throw new IllegalStateException("BPF object's " + placeholder + " is not the no-op placeholder at "
						+ "instruction " + i + ": was the object rebuilt with another compiler?");
			}
		}
		if (code.size() > slots) {
			throw new TracePacketsException("pcap filter \"" + filter.expression() + "\" is too long for the probes: "
					+ "its " + view + " program takes " + code.size() + " eBPF instructions, the probes hold "
					+ slots + ". Simplify the expression, or filter part of it in assertions instead");
		}
		ByteBuffer out = image.buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
		out.position(at);
		for (int i = 0; i < slots - code.size(); i++) {
			EbpfInstruction.NOP.writeTo(out);
		}
		for (EbpfInstruction insn : code) {
			insn.writeTo(out);
		}
	}

	/** Just enough of an ELF64 little-endian relocatable object: sections and the symbol table. */
	private static final class Elf {

		record Symbol(String name, int section, long value, long size) {
		}

		final ByteBuffer buffer;

		Elf(byte[] bytes) {
			buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
			if (bytes.length < 64 || buffer.getInt(0) != 0x464c457f || bytes[4] != 2 || bytes[5] != 1) {
				throw new IllegalStateException("not a 64-bit little-endian ELF object");
			}
		}

		private long sectionHeader(int index) {
			return buffer.getLong(0x28) + (long) index * Short.toUnsignedInt(buffer.getShort(0x3a));
		}

		private int sectionCount() {
			return Short.toUnsignedInt(buffer.getShort(0x3c));
		}

		long sectionOffset(int index) {
			return buffer.getLong((int) sectionHeader(index) + 0x18);
		}

		long fileOffset(Symbol symbol) {
			return sectionOffset(symbol.section()) + symbol.value();
		}

		Symbol symbol(String wanted) {
			for (int s = 0; s < sectionCount(); s++) {
				int header = (int) sectionHeader(s);
				if (buffer.getInt(header + 4) != SHT_SYMTAB) {
					continue;
				}
				long offset = buffer.getLong(header + 0x18);
				long size = buffer.getLong(header + 0x20);
				long entry = buffer.getLong(header + 0x38);
				long strings = sectionOffset(buffer.getInt(header + 0x28));
				for (long at = offset; at + entry <= offset + size; at += entry) {
					String name = string(strings + Integer.toUnsignedLong(buffer.getInt((int) at)));
					if (name.equals(wanted)) {
						return new Symbol(name, Short.toUnsignedInt(buffer.getShort((int) at + 6)),
								buffer.getLong((int) at + 8), buffer.getLong((int) at + 16));
					}
				}
			}
			throw new IllegalStateException("BPF object has no symbol " + wanted
					+ ": it was built from sources without the pcap filter placeholders");
		}

		private String string(long at) {
			int end = (int) at;
			while (buffer.get(end) != 0) {
				end++;
			}
			return new String(buffer.array(), (int) at, end - (int) at, StandardCharsets.US_ASCII);
		}
	}
}
