package io.tracepackets.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.tracepackets.internal.bpf.ObjectDump;
import org.junit.jupiter.api.Test;

/**
 * The two builds of the probes (bpf/Makefile) as the jar carries them: in the guarded one every
 * tracing program (tp_btf, fentry, fexit: the ones the kernel can run again on a CPU while they
 * run, and that may call the kfuncs) turns interrupts off once and back on once; kprobes and the
 * marker do not; and the plain one calls neither kfunc, so it loads where they do not exist. A
 * probe added without the guard fails here, not as a skipped run on a 7.x kernel. Read from the
 * objects' symbols and disassembly with its relocations, dumped by {@code llvm-objdump}; a call into
 * {@code .text} counts what the called function calls.
 */
class IrqGuardObjectTest {

	private static final String OBJDUMP = "llvm-objdump";
	private static final List<String> KFUNCS = List.of("bpf_local_irq_save", "bpf_local_irq_restore");
	/** The section of the functions that programs call (static, not inlined). */
	private static final String TEXT = ".text";
	private static final int INSTRUCTION_BYTES = 8;
	/**
	 * A program, {@code 0000000000000000 g     F tp_btf/kfree_skb	00000000000000a8 kfree_skb}, or a
	 * function it calls, {@code 0000000000004020 l     F .text	0000000000002f08 kfree_skb_scoped}.
	 */
	private static final Pattern FUNCTION = Pattern.compile("^([0-9a-f]{16}) ([gl]) +F (\\S+)\\s+([0-9a-f]{16}) (\\w+)$");
	/** {@code Disassembly of section tp_btf/kfree_skb:}. */
	private static final Pattern DISASSEMBLY = Pattern.compile("^Disassembly of section (\\S+):$");
	/** {@code 18:	85 10 00 00 b0 19 00 00	call 6576}: the index and the instruction. */
	private static final Pattern INSTRUCTION = Pattern.compile("^(\\d+):\\t[0-9a-f ]+\\t(.*)$");
	/** A call: to a kfunc or helper, or to the function of .text (imm + 1) instructions on. */
	private static final Pattern CALL = Pattern.compile("^call (-?\\d+)$");
	/** {@code 0000000000000090:  R_BPF_64_32	.text}: the relocation of the instruction above it. */
	private static final Pattern DISASSEMBLED_RELOCATION = Pattern.compile("^([0-9a-f]{16}):\\s+R_BPF_\\w+\\s+(\\S+)$");

	@Test
	void every_tracing_program_of_the_guarded_build_turns_interrupts_off_once_and_on_once() throws Exception {
		Map<String, Map<String, Integer>> calls = kfuncCalls(ProbeObject.IRQS_OFF_RESOURCE);
		List<String> tracing = new ArrayList<>();
		List<String> wrong = new ArrayList<>();
		calls.forEach((program, counts) -> {
			String section = program.substring(0, program.indexOf(' '));
			boolean traces = section.startsWith("tp_btf/") || section.equals("fentry") || section.startsWith("fentry/")
					|| section.startsWith("fexit/");
			int expected = traces ? 1 : 0;
			if (traces) {
				tracing.add(program);
			}
			for (String kfunc : KFUNCS) {
				if (counts.getOrDefault(kfunc, 0) != expected) {
					wrong.add(program + ": " + kfunc + " called " + counts.getOrDefault(kfunc, 0) + " times, not "
							+ expected);
				}
			}
		});
		assertThat(wrong).as("programs of %s", ProbeObject.IRQS_OFF_RESOURCE).isEmpty();
		// the seven tracepoints, five fentry templates, four copy and three entry-and-return pairs
		assertThat(tracing).as("tracing programs found").hasSize(7 + 5 + 4 + 3 * 2);
	}

	@Test
	void the_plain_build_calls_neither_kfunc() throws Exception {
		Map<String, Map<String, Integer>> calls = kfuncCalls(ProbeObject.PLAIN_RESOURCE);
		assertThat(calls).as("programs of %s", ProbeObject.PLAIN_RESOURCE).isNotEmpty();
		assertThat(calls.values()).allSatisfy(counts -> assertThat(counts).isEmpty());
	}

	/**
	 * Per program ("section name"), how many times it calls each kfunc of {@link #KFUNCS}, itself or
	 * through the functions of {@code .text} it calls (a tracepoint's work on a packet in scope is
	 * one of those).
	 */
	private static Map<String, Map<String, Integer>> kfuncCalls(String resource) throws Exception {
		Path object = object(resource);
		Functions functions = new Functions();
		Map<String, String> programs = new TreeMap<>();
		for (String line : objdump(object, "-t")) {
			Matcher m = FUNCTION.matcher(line.strip());
			if (!m.matches()) {
				continue;
			}
			String section = m.group(3);
			String name = m.group(5);
			boolean program = m.group(2).equals("g") && !section.equals(TEXT);
			if (program || (m.group(2).equals("l") && section.equals(TEXT))) {
				functions.add(section, Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(4), 16), name);
			}
			if (program) {
				programs.put(section + " " + name, name);
			}
		}
		// each function's kfunc calls and calls into .text, from the disassembly and its relocations
		Map<String, Map<String, Integer>> direct = new TreeMap<>();
		Map<String, List<String>> callees = new TreeMap<>();
		String section = null;
		long callTarget = -1;
		for (String line : objdump(object, "-d", "-r")) {
			String stripped = line.strip();
			Matcher d = DISASSEMBLY.matcher(stripped);
			if (d.matches()) {
				section = d.group(1);
				continue;
			}
			Matcher i = INSTRUCTION.matcher(stripped);
			if (i.matches()) {
				Matcher call = CALL.matcher(i.group(2));
				callTarget = call.matches() ? (Long.parseLong(call.group(1)) + 1) * INSTRUCTION_BYTES : -1;
				continue;
			}
			Matcher r = DISASSEMBLED_RELOCATION.matcher(stripped);
			if (!r.matches() || section == null) {
				continue;
			}
			long offset = Long.parseUnsignedLong(r.group(1), 16);
			String symbol = r.group(2);
			if (!KFUNCS.contains(symbol) && !(symbol.equals(TEXT) && callTarget >= 0)) {
				continue;
			}
			String caller = functions.at(section, offset);
			assertThat(caller).as("the function of the call at %s+%x", section, offset).isNotNull();
			if (KFUNCS.contains(symbol)) {
				direct.computeIfAbsent(caller, c -> new TreeMap<>()).merge(symbol, 1, Integer::sum);
			} else {
				String callee = functions.at(TEXT, callTarget);
				assertThat(callee).as("the .text function at %x that %s calls", callTarget, caller).isNotNull();
				callees.computeIfAbsent(caller, c -> new ArrayList<>()).add(callee);
			}
		}
		Map<String, Map<String, Integer>> calls = new TreeMap<>();
		programs.forEach((program, name) -> calls.put(program, reachable(name, direct, callees, 0)));
		return calls;
	}

	/** The kfunc calls of {@code function} and of what it calls, once per call. */
	private static Map<String, Integer> reachable(String function, Map<String, Map<String, Integer>> direct,
			Map<String, List<String>> callees, int depth) {
		assertThat(depth).as("calls nested below %s (BPF allows 8 frames)", function).isLessThan(8);
		Map<String, Integer> counts = new TreeMap<>(direct.getOrDefault(function, Map.of()));
		for (String callee : callees.getOrDefault(function, List.of())) {
			reachable(callee, direct, callees, depth + 1).forEach((kfunc, n) -> counts.merge(kfunc, n, Integer::sum));
		}
		return counts;
	}

	/** The object's functions, by section and offset: the programs and the functions of .text. */
	private static final class Functions {

		private final Map<String, TreeMap<Long, String>> starts = new TreeMap<>();
		private final Map<String, Long> ends = new TreeMap<>();

		void add(String section, long start, long size, String name) {
			starts.computeIfAbsent(section, s -> new TreeMap<>()).put(start, name);
			ends.put(name, start + size);
		}

		/** The function whose code holds {@code offset} of {@code section}, else null. */
		String at(String section, long offset) {
			Map.Entry<Long, String> owner = starts.getOrDefault(section, new TreeMap<>()).floorEntry(offset);
			return owner == null || offset >= ends.get(owner.getValue()) ? null : owner.getValue();
		}
	}

	private static Path object(String resource) throws URISyntaxException {
		URL url = IrqGuardObjectTest.class.getClassLoader().getResource(resource);
		assertThat(url).as("%s on the classpath (built by bpf/Makefile)", resource).isNotNull();
		return Path.of(url.toURI());
	}

	private static List<String> objdump(Path object, String... what) throws IOException, InterruptedException {
		return ObjectDump.lines(OBJDUMP, object, "the programs' kfunc calls", what);
	}
}
