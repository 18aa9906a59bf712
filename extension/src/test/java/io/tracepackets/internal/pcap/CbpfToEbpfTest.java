package io.tracepackets.internal.pcap;

import static io.tracepackets.internal.pcap.Packets.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The translation against classic BPF's reference semantics: for real libpcap programs, on built
 * packets and thousands of mutations of them (truncated, bytes flipped), the translated eBPF
 * matches exactly when the classic program does, and never touches memory outside the packet
 * buffer or its stack (the {@link EbpfMachine} refuses such accesses, as the verifier would).
 */
class CbpfToEbpfTest {

	private static final byte[] CLIENT = address(10, 0, 0, 1);
	private static final byte[] SERVER = address(10, 0, 0, 2);

	static Map<String, byte[]> frames() {
		Map<String, byte[]> frames = new LinkedHashMap<>();
		frames.put("tcp syn to 8080", ethernet(0x0800, ipv4(6, CLIENT, SERVER, tcp(40000, 8080, SYN, 0), 0, 0)));
		frames.put("tcp syn-ack from 8080",
				ethernet(0x0800, ipv4(6, SERVER, CLIENT, tcp(8080, 40000, SYN | ACK, 0), 0, 0)));
		frames.put("tcp data to 8080",
				ethernet(0x0800, ipv4(6, CLIENT, SERVER, tcp(40000, 8080, PSH | ACK, 32), 0, 0)));
		frames.put("tcp with ip options",
				ethernet(0x0800, ipv4(6, CLIENT, SERVER, tcp(40000, 8080, SYN, 5), 3, 0)));
		frames.put("udp to 53", ethernet(0x0800, ipv4(17, CLIENT, SERVER, udp(5353, 53, 12), 0, 0)));
		frames.put("later fragment", ethernet(0x0800, ipv4(17, CLIENT, SERVER, udp(1, 2, 40), 0, 0x00b9)));
		frames.put("ipv6 tcp syn", ethernet(0x86dd, ipv6(6, tcp(40000, 8080, SYN, 0))));
		frames.put("ipv6 tcp ack", ethernet(0x86dd, ipv6(6, tcp(40000, 8080, ACK, 10))));
		frames.put("arp request", ethernet(0x0806, arp(1)));
		frames.put("arp reply", ethernet(0x0806, arp(2)));
		frames.put("runt", Arrays.copyOf(ethernet(0x0800, ipv4(6, CLIENT, SERVER, tcp(1, 2, SYN, 0), 0, 0)), 30));
		return frames;
	}

	static final List<String> EXPRESSIONS = List.of("dst host 10.0.0.2 and port 8080", "tcp[tcpflags] = tcp-syn",
			"ip6[53] & 0x3f = 0x2", "(((ip[2:2] - ((ip[0]&0xf)<<2)) - ((tcp[12]&0xf0)>>2)) != 0)",
			"arp and arp[7] = 1", "tcp port 8080", "udp and port 53", "ip[6:2] & 0x1fff != 0", "icmp or icmp6",
			"tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn", "len > 70", "less 60", "ip[0] & 0xf > 5",
			"tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420", "ip[2:2] / 4 > 10", "ip[2:2] % 7 = 3",
			"(ip[8] << (ip[0] & 0x3f)) > 100", "(ip[8] >> (ip[9] & 0x3f)) = 0", "ip[2:2] / (ip[8] - 64) > 0",
			"ip[2:2] % (ip[9] & 3) = 0", "(ip[8] * ip[9]) ^ 0x180 = 0", "-ip[8] & 0xff = 0xc0",
			"vlan and tcp", "ether broadcast or ether dst 02:00:00:00:00:02", "ip6 and tcp dst port 8080",
			"not arp", "ip[2:2] - ip[3] * 2 != 0", "ip and (ip[12:4] | ip[16:4]) = 0x0a000003",
			"tcp and (tcp[2:2] & 0x1f90 = 0x1f90)", "greater 100 or ip[1] > 0");

	@ParameterizedTest
	@ValueSource(strings = { "ethernet", "raw ip" })
	void translationMatchesClassicBpfOnBuiltAndMutatedPackets(String view) {
		boolean ethernet = view.equals("ethernet");
		List<byte[]> packets = new ArrayList<>();
		for (byte[] frame : frames().values()) {
			packets.add(ethernet ? frame : Arrays.copyOfRange(frame, 14, frame.length));
		}
		Random random = new Random(11);
		int base = packets.size();
		for (int i = 0; i < 1500; i++) {
			byte[] packet = packets.get(random.nextInt(base)).clone();
			for (int flips = random.nextInt(4); flips >= 0; flips--) {
				packet[random.nextInt(packet.length)] = (byte) random.nextInt(256);
			}
			packets.add(random.nextInt(5) == 0 ? Arrays.copyOf(packet, random.nextInt(packet.length + 1)) : packet);
		}
		int compared = 0;
		for (String expression : EXPRESSIONS) {
			List<CbpfInstruction> classic;
			try {
				classic = LibPcap.compile(expression, ethernet ? LibPcap.DLT_EN10MB : LibPcap.DLT_RAW);
			} catch (LibPcap.PcapCompileException e) {
				continue; // e.g. arp on raw IP: no program to compare
			}
			List<EbpfInstruction> translated = CbpfToEbpf.translate(classic);
			assertThat(translated.size()).as(expression).isLessThan(1024);
			for (byte[] packet : packets) {
				int wire = packet.length + 4;
				boolean expected = CbpfInterpreter.run(classic, packet, wire) != 0;
				boolean actual = EbpfMachine.run(translated, packet, wire) != 0;
				assertThat(actual).as("%s on %s", expression, hex(packet)).isEqualTo(expected);
				compared++;
			}
		}
		assertThat(compared).isGreaterThan(EXPRESSIONS.size() * 1000);
	}

	@Test
	void pwruCasesMatchWhatTheyShould() {
		Map<String, byte[]> frames = frames();
		assertMatches("dst host 10.0.0.2 and port 8080", frames, "tcp syn to 8080", "tcp data to 8080",
				"tcp with ip options");
		assertMatches("tcp[tcpflags] = tcp-syn", frames, "tcp syn to 8080", "tcp with ip options");
		assertMatches("ip6[53] & 0x3f = 0x2", frames, "ipv6 tcp syn");
		// libpcap's "!=" negates the whole comparison, its "is it TCP" checks included: UDP (and a
		// later fragment) match too, in libpcap's own bpf_filter as here
		assertMatches("(((ip[2:2] - ((ip[0]&0xf)<<2)) - ((tcp[12]&0xf0)>>2)) != 0)", frames, "tcp data to 8080",
				"tcp with ip options", "udp to 53", "later fragment");
		assertMatches("arp and arp[7] = 1", frames, "arp request");
	}

	@Test
	void everyInstructionIsReachableAsTheVerifierRequires() {
		for (String expression : EXPRESSIONS) {
			List<EbpfInstruction> program = CbpfToEbpf.translate(LibPcap.compile(expression, LibPcap.DLT_EN10MB));
			assertThat(unreachable(program)).as(expression).isEmpty();
		}
		// a program that matches nothing has no load that could fail: no "reject" block either
		List<EbpfInstruction> nothing = CbpfToEbpf.translate(List.of(new CbpfInstruction(0x06, 0, 0, 0)));
		assertThat(unreachable(nothing)).isEmpty();
	}

	private static List<Integer> unreachable(List<EbpfInstruction> program) {
		boolean[] reached = new boolean[program.size()];
		reached[0] = true;
		for (int i = 0; i < program.size(); i++) {
			if (!reached[i]) {
				continue;
			}
			EbpfInstruction insn = program.get(i);
			int cls = insn.opcode() & 0x07;
			int op = insn.opcode() & 0xf0;
			boolean jump = cls == EbpfInstruction.JMP || cls == EbpfInstruction.JMP32;
			if (jump && op == EbpfInstruction.EXIT) {
				continue;
			}
			if (jump) {
				reached[i + 1 + insn.offset()] = true;
			}
			if (!(cls == EbpfInstruction.JMP && op == 0x00)) {
				reached[i + 1] = true;
			}
		}
		List<Integer> result = new ArrayList<>();
		for (int i = 0; i < reached.length; i++) {
			if (!reached[i]) {
				result.add(i);
			}
		}
		return result;
	}

	@Test
	void loadsBeyondTheFilterBufferDoNotMatch() {
		List<CbpfInstruction> classic = LibPcap.compile("ip[300] = 0", LibPcap.DLT_RAW);
		byte[] big = ipv4(17, CLIENT, SERVER, udp(1, 2, 400), 0, 0);
		assertThat(CbpfInterpreter.run(classic, big, big.length)).isNotZero();
		assertThat(EbpfMachine.run(CbpfToEbpf.translate(classic), big, big.length)).isZero();
	}

	private static void assertMatches(String expression, Map<String, byte[]> frames, String... matching) {
		List<EbpfInstruction> program = CbpfToEbpf.translate(LibPcap.compile(expression, LibPcap.DLT_EN10MB));
		List<String> matched = new ArrayList<>();
		frames.forEach((name, frame) -> {
			if (EbpfMachine.run(program, frame, frame.length) != 0) {
				matched.add(name);
			}
		});
		assertThat(matched).as(expression).containsExactly(matching);
	}

	private static String hex(byte[] packet) {
		StringBuilder out = new StringBuilder();
		for (byte b : packet) {
			out.append(String.format("%02x", b));
		}
		return out.toString();
	}
}
