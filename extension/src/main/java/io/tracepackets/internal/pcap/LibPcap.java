package io.tracepackets.internal.pcap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.tracepackets.TracePacketsException;
import io.tracepackets.TracingUnavailableException;
import io.tracepackets.internal.ffi.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Panama bindings to the system libpcap ({@code libpcap.so.0.8}, Debian's libpcap0.8), limited to
 * compiling a filter expression to classic BPF on a dead handle, as tcpdump -d and pwru do: no
 * capture is opened, so no privilege or device is needed.
 */
public final class LibPcap {

	public static final String LIBRARY = "libpcap.so.0.8";
	/** DLT_EN10MB: the skb seen from its Ethernet header. */
	public static final int DLT_EN10MB = 1;
	/** DLT_RAW: the skb seen from its IP header (no link layer). */
	public static final int DLT_RAW = 12;
	/** What {@code ret #k} of an accepting program returns; any non-zero value means "match". */
	static final int SNAPLEN = 262144;
	private static final int PCAP_NETMASK_UNKNOWN = 0xffffffff;
	/** struct bpf_program { u_int bf_len; struct bpf_insn *bf_insns; } */
	private static final long PROGRAM_SIZE = 16;
	private static final long INSN_SIZE = 8;

	private static final MethodHandle OPEN_DEAD;
	private static final MethodHandle COMPILE;
	private static final MethodHandle GETERR;
	private static final MethodHandle FREECODE;
	private static final MethodHandle CLOSE;

	static {
		SymbolLookup lib;
		try {
			lib = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
		} catch (IllegalArgumentException e) {
			throw new TracingUnavailableException("libpcap", LIBRARY
					+ " not found, which compiles pcap filter expressions: install libpcap (apt-get install libpcap0.8)",
					e);
		}
		OPEN_DEAD = Native.downcall(lib, "pcap_open_dead", FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT), false);
		COMPILE = Native.downcall(lib, "pcap_compile",
				FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT), false);
		GETERR = Native.downcall(lib, "pcap_geterr", FunctionDescriptor.of(ADDRESS, ADDRESS), false);
		FREECODE = Native.downcall(lib, "pcap_freecode", FunctionDescriptor.ofVoid(ADDRESS), false);
		CLOSE = Native.downcall(lib, "pcap_close", FunctionDescriptor.ofVoid(ADDRESS), false);
	}

	private LibPcap() {
	}

	/**
	 * Compiles {@code expression} (pcap-filter(7) syntax) for {@code linkType}, optimized, as
	 * {@code tcpdump -d} would.
	 *
	 * @throws PcapCompileException with libpcap's own message when the expression is invalid
	 */
	public static synchronized List<CbpfInstruction> compile(String expression, int linkType) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment pcap = (MemorySegment) OPEN_DEAD.invokeExact(linkType, SNAPLEN);
			if (pcap.equals(MemorySegment.NULL)) {
				throw new TracePacketsException("pcap_open_dead(" + linkType + ") failed: out of memory?");
			}
			try {
				MemorySegment program = arena.allocate(PROGRAM_SIZE, 8);
				int rc = (int) COMPILE.invokeExact(pcap, program, arena.allocateFrom(expression), 1,
						PCAP_NETMASK_UNKNOWN);
				if (rc != 0) {
					MemorySegment error = ((MemorySegment) GETERR.invokeExact(pcap)).reinterpret(4096);
					throw new PcapCompileException(error.getString(0));
				}
				try {
					int count = program.get(JAVA_INT, 0);
					MemorySegment insns = program.get(ADDRESS, 8).reinterpret(count * INSN_SIZE);
					List<CbpfInstruction> result = new ArrayList<>(count);
					for (int i = 0; i < count; i++) {
						long at = i * INSN_SIZE;
						result.add(new CbpfInstruction(Short.toUnsignedInt(insns.get(JAVA_SHORT, at)),
								Byte.toUnsignedInt(insns.get(JAVA_BYTE, at + 2)),
								Byte.toUnsignedInt(insns.get(JAVA_BYTE, at + 3)), insns.get(JAVA_INT, at + 4)));
					}
					return List.copyOf(result);
				} finally {
					FREECODE.invokeExact(program);
				}
			} finally {
				CLOSE.invokeExact(pcap);
			}
		} catch (RuntimeException | Error e) {
			throw e;
		} catch (Throwable t) {
			throw Native.rethrow(t);
		}
	}

	/** libpcap refused the expression; the message is libpcap's own. */
	public static final class PcapCompileException extends RuntimeException {

		private static final long serialVersionUID = 1L;

		PcapCompileException(String message) {
			super(message);
		}
	}
}
