package io.tracepackets.internal.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tracepackets.TracePacketsException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The filter written into the built BPF object's bytes (no kernel: PcapFilterKernelTest loads it). */
class PcapFilterInjectionTest {

	private static byte[] object() throws IOException {
		try (InputStream in = PcapFilterInjectionTest.class.getClassLoader()
				.getResourceAsStream("io/tracepackets/bpf/tracepackets.bpf.o")) {
			assertThat(in).as("the BPF object (built by the extension's Maven build)").isNotNull();
			return in.readAllBytes();
		}
	}

	@Test
	void writesTheTranslationOverThePlaceholdersTailAndSetsTheFlag() throws IOException {
		byte[] original = object();
		PcapFilter filter = PcapFilter.compile("tcp[tcpflags] = tcp-syn");
		byte[] patched = PcapFilterInjection.inject(original, filter);

		assertThat(patched).hasSameSizeAs(original);
		List<EbpfInstruction> expected = CbpfToEbpf.translate(filter.ethernet());
		int at = indexOf(patched, expected);
		assertThat(at).as("translated Ethernet program in the object").isPositive();
		// what precedes it is no-ops, and the original held no-ops there: only the tail was written
		EbpfInstruction before = EbpfInstruction.readFrom(ByteBuffer.wrap(patched), at - EbpfInstruction.SIZE);
		assertThat(before).isEqualTo(EbpfInstruction.NOP);
		assertThat(indexOf(original, expected)).isNegative();
		assertThat(differingBytes(original, patched)).as("bytes changed: both programs and the 4-byte flag")
				.isLessThanOrEqualTo((expected.size() + CbpfToEbpf.translate(filter.rawIp()).size() + 4)
						* EbpfInstruction.SIZE);
	}

	@Test
	void aFilterLongerThanThePlaceholderFailsNamingTheExpression() throws IOException {
		// 200 alternatives: more than the placeholder's 1024 no-ops and 2 instructions
		List<String> hosts = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			hosts.add("host 10.0." + i / 250 + "." + i % 250);
		}
		PcapFilter filter = PcapFilter.compile(String.join(" or ", hosts));
		assertThatThrownBy(() -> PcapFilterInjection.inject(object(), filter)).isInstanceOf(TracePacketsException.class)
				.hasMessageContaining("is too long for the probes").hasMessageContaining("eBPF instructions, the probes hold 1026")
				.hasMessageContaining("host 10.0.0.0 or host 10.0.0.1");
	}

	private static int indexOf(byte[] haystack, List<EbpfInstruction> program) {
		ByteBuffer needle = ByteBuffer.allocate(program.size() * EbpfInstruction.SIZE);
		program.forEach(insn -> insn.writeTo(needle));
		byte[] bytes = needle.array();
		outer: for (int i = 0; i + bytes.length <= haystack.length; i += EbpfInstruction.SIZE) {
			for (int j = 0; j < bytes.length; j++) {
				if (haystack[i + j] != bytes[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

	private static int differingBytes(byte[] a, byte[] b) {
		int count = 0;
		for (int i = 0; i < a.length; i++) {
			if (a[i] != b[i]) {
				count++;
			}
		}
		return count;
	}
}
